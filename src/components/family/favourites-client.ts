// Progressive enhancement of the hearts (FavouriteButton.astro). Without JavaScript a
// heart submits the page's add or remove form and the page comes back; with it, the same
// post is sent with fetch and every heart of that offer on the page flips in place (and
// now submits the other form), announced politely.
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
  for (const button of document.querySelectorAll<HTMLButtonElement>(`button.favourite[value="${offerId}"]`)) {
    const label = button.querySelector('.words');
    button.setAttribute('aria-pressed', String(kept));
    if (label) label.textContent = button.classList.contains('favourite--card') ? words.named : words.plain;
    button.title = words.title;
    button.setAttribute('form', kept ? 'favourites-remove' : 'favourites-add');
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
    const button = event.submitter;
    if (!(button instanceof HTMLButtonElement)) return;
    event.preventDefault();
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    // The plain post, without this listener (form.submit() sends no submitter: its value is added).
    const post = () => {
      const offer = document.createElement('input');
      offer.type = 'hidden';
      offer.name = button.name;
      offer.value = button.value;
      form.append(offer);
      form.submit();
    };
    void (async () => {
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          body: new FormData(form, button),
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
          post();
        }
      } catch {
        post();
      } finally {
        button.removeAttribute('aria-busy');
      }
    })();
  });
}
