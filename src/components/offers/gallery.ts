// An offer's photos (OfferDetailView): a scroll-snap strip that swipes and scrolls without
// JavaScript. This adds arrows, the "photo n of N" counter, arrow keys on the focused strip
// (one photo a press) and full screen.
import { formatMessage } from '../../i18n/format.ts';

export function enhanceGallery(gallery: HTMLElement): void {
  const strip = gallery.querySelector<HTMLElement>('ul');
  const controls = gallery.querySelector<HTMLElement>('.gallery-controls');
  if (!strip || !controls) return;
  const items = [...strip.querySelectorAll<HTMLElement>(':scope > li')];
  const counter = controls.querySelector<HTMLElement>('.counter');
  const locale = document.documentElement.lang;
  let current = 0;

  const show = (index: number) => {
    const target = items[Math.max(0, Math.min(items.length - 1, index))];
    if (target) strip.scrollTo({ left: target.offsetLeft - strip.offsetLeft, behavior: 'smooth' });
  };
  // The photo most in view is the current one.
  const seen = new IntersectionObserver(
    (entries) => {
      for (const entry of entries)
        if (entry.isIntersecting) {
          current = items.indexOf(entry.target as HTMLElement);
          if (counter)
            counter.textContent = formatMessage(locale, counter.dataset.photoOf ?? '', {
              n: current + 1,
              count: items.length,
            });
        }
    },
    { root: strip, threshold: 0.6 },
  );
  for (const item of items) seen.observe(item);

  controls.addEventListener('click', (event) => {
    const button = (event.target as Element).closest('button');
    if (!button) return;
    if (button.dataset.step) show(current + Number(button.dataset.step));
    else if (button.hasAttribute('data-fullscreen')) {
      if (document.fullscreenElement) void document.exitFullscreen();
      else void gallery.requestFullscreen?.().catch(() => undefined);
    }
  });
  strip.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault();
      show(current + (event.key === 'ArrowRight' ? 1 : -1));
    }
  });
  // After leaving full screen, the same photo stays in view.
  document.addEventListener('fullscreenchange', () => show(current));
  controls.hidden = false;
}
