// Progressive enhancement of the hearts (FavouriteButton.astro). Without JavaScript a
// heart is a form post and the page comes back; with it, the same form is posted with
// fetch and every heart of that offer on the page flips in place, announced politely.
// One listener on the document, so that hearts swapped in by the live search results
// work too. Anything unexpected falls back to the plain form post.

interface Answer {
  offerId?: number;
  favourite?: boolean;
  redirect?: string;
}

function flip(offerId: number, kept: boolean): string {
  let said = '';
  for (const form of document.querySelectorAll<HTMLFormElement>(`form[data-favourite-live][data-offer="${offerId}"]`)) {
    const button = form.querySelector('button');
    const words = form.querySelector('.words');
    const wish = form.querySelector<HTMLInputElement>('input[name="favori"]');
    const label = (kept ? form.dataset.labelOn : form.dataset.labelOff) ?? '';
    button?.setAttribute('aria-pressed', String(kept));
    if (words) words.textContent = label;
    if (button) button.title = (kept ? form.dataset.titleOn : form.dataset.titleOff) ?? '';
    if (wish) wish.value = kept ? '0' : '1';
    said = (kept ? form.dataset.saidOn : form.dataset.saidOff) ?? '';
  }
  return said;
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
        if (response.ok && typeof answer.offerId === 'number' && typeof answer.favourite === 'boolean') {
          status.textContent = flip(answer.offerId, answer.favourite);
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
