// The offer page's small map of its public point, drawn as an area (decision 006): Leaflet
// is fetched only when the map scrolls into view; without JavaScript the link to
// OpenStreetMap beside it is the map.
export function showWhenVisible(element: HTMLElement): void {
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      void show(element);
    },
    { rootMargin: '200px' },
  );
  observer.observe(element);
}

async function show(element: HTMLElement): Promise<void> {
  const d = element.dataset;
  try {
    const { createLocationMap, loadMapStyles } = await import('./map-view.ts');
    await loadMapStyles();
    createLocationMap(element, {
      lat: Number(d.lat),
      lng: Number(d.lng),
      radius: Number(d.radius),
      tileUrl: d.tiles ?? '',
      attribution: d.attribution ?? '',
      zoomIn: d.zoomIn ?? '',
      zoomOut: d.zoomOut ?? '',
    });
    element.dataset.state = 'ready';
  } catch {
    // The link below the map still shows the place.
    element.dataset.state = 'error';
  }
}
