// The two forms every heart of a page submits (FavouriteButton.astro): written once per
// render, by its first heart.
const written = new WeakSet<object>();

export const favouriteForms = {
  id: { add: 'favourites-add', remove: 'favourites-remove' } as const,
  /** True the first time it is asked for this render's `Astro.locals`. */
  firstOf(locals: object): boolean {
    if (written.has(locals)) return false;
    written.add(locals);
    return true;
  },
};
