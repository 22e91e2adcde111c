// Progressive enhancement of the hearts (FavouriteButton.astro). Without JavaScript a
// heart is a form post and the page comes back; with it, the same form is posted with
// fetch and every heart of that offer on the page flips in place, announced politely.
// One listener on the document, so that hearts swapped in by the live search results
// work too. Anything unexpected falls back to the plain form post.

interface Words {
  /** The button's title. */
  title: string;
  /** Its words: on a card they name the offer, on the offer's page they do not. */
  named: string;
  plain: string;
  /** What the status line says. */
  said: string;
}

interface Answer {
  offerId?: number;
  favourite?: boolean;
  words?: Words;
  redirect?: string;
}

function flip(offerId: number, kept: boolean, words: Words): string {
  for (const form of document.querySelectorAll<HTMLFormElement>(`form[data-favourite-live][data-offer="${offerId}"]`)) {
    const button = form.querySelector('button');
    const label = form.querySelector('.words');
    const wish = form.querySelector<HTMLInputElement>('input[name="favori"]');
    button?.setAttribute('aria-pressed', String(kept));
    if (label) label.textContent = form.classList.contains('favourite--card') ? words.named : words.plain;
    if (button) button.title = words.title;
    if (wish) wish.value = kept ? '0' : '1';
  }
  return words.said;
}

const root = document.documentElement;
if (!root.hasAttribute('data-favourites')) {
  root.setAttribute('data-favourites', '');
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  status.setAttribute('data-favourite-status', '');
  document.body.append(status);

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-favourite-live') || event.defaultPrevented)
      return;
    event.preventDefault();
    const button = form.querySelector('button');
    if (button?.getAttribute('aria-busy') === 'true') return;
    button?.setAttribute('aria-busy', 'true');
    void (async () => {
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          body: new FormData(form),
          headers: { Accept: 'application/json' },
          credentials: 'same-origin',
        });
        const answer = (await response.json()) as Answer;
        if (
          response.ok &&
          typeof answer.offerId === 'number' &&
          typeof answer.favourite === 'boolean' &&
          answer.words
        ) {
          status.textContent = flip(answer.offerId, answer.favourite, answer.words);
        } else if (answer.redirect) {
          location.assign(answer.redirect);
        } else {
          // A refusal (offer withdrawn meanwhile…): the plain post shows its message.
          form.submit();
        }
      } catch {
        form.submit();
      } finally {
        button?.removeAttribute('aria-busy');
      }
    })();
  });
}
