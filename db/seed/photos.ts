// Generated placeholder illustrations for the demo offers (no hotlinks, no third-party
// photos): simple SVG landscapes rendered to JPEG with sharp, the same bytes every time.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export interface DemoPhoto {
  key: string;
  width: number;
  height: number;
  alt: string;
  kind: 'home' | 'tiers_lieu';
}

const W = 1600;
const H = 1067;

const hills = (sky: string, far: string, near: string, sun: string) => `
  <rect width="${W}" height="${H}" fill="${sky}"/>
  <circle cx="1250" cy="250" r="110" fill="${sun}"/>
  <path d="M0 650 Q400 480 800 620 T1600 560 V${H} H0Z" fill="${far}"/>
  <path d="M0 800 Q500 640 1000 780 T1600 740 V${H} H0Z" fill="${near}"/>`;

const house = (x: number, y: number, wall: string, roof: string, scale = 1) => `
  <g transform="translate(${x} ${y}) scale(${scale})">
    <rect x="0" y="120" width="360" height="220" fill="${wall}"/>
    <path d="M-30 130 L180 0 L390 130Z" fill="${roof}"/>
    <rect x="150" y="220" width="70" height="120" fill="#5b3a24"/>
    <rect x="40" y="170" width="70" height="60" fill="#cfe3f0"/><rect x="260" y="170" width="70" height="60" fill="#cfe3f0"/>
  </g>`;

const desk = (x: number, y: number) => `
  <g transform="translate(${x} ${y})">
    <rect x="0" y="200" width="520" height="24" fill="#8b5e3c"/>
    <rect x="30" y="224" width="20" height="180" fill="#6d4a2f"/><rect x="470" y="224" width="20" height="180" fill="#6d4a2f"/>
    <rect x="150" y="70" width="220" height="130" rx="8" fill="#2f3b44"/><rect x="165" y="85" width="190" height="100" fill="#7fb8d8"/>
    <rect x="120" y="196" width="280" height="10" fill="#44515b"/>
    <circle cx="440" cy="180" r="20" fill="#d9d2c5"/>
  </g>`;

const scenes: Array<Omit<DemoPhoto, 'width' | 'height'> & { svg: string }> = [
  {
    key: 'demo-maison-collines.jpg',
    kind: 'home',
    alt: 'Illustration : maison aux murs clairs au pied des collines (image de démonstration)',
    svg: hills('#bfe0f2', '#9cc27a', '#6f9e4f', '#f7d774') + house(600, 480, '#efe4cf', '#b5523b'),
  },
  {
    key: 'demo-longere.jpg',
    kind: 'home',
    alt: 'Illustration : longère en pierre entourée de prés (image de démonstration)',
    svg:
      hills('#d7e8f0', '#a9c98f', '#7aa35a', '#fbe3a1') +
      house(350, 500, '#d9cbb0', '#55606b', 1.2) +
      house(850, 560, '#d9cbb0', '#55606b', 0.8),
  },
  {
    key: 'demo-village.jpg',
    kind: 'home',
    alt: 'Illustration : maisons de village sous un ciel d’été (image de démonstration)',
    svg:
      hills('#a9d3ee', '#b8cf8e', '#8cae62', '#ffd45e') +
      house(200, 560, '#f3e9d8', '#c0663f', 0.7) +
      house(560, 520, '#ead9c0', '#a84c32', 0.8) +
      house(960, 560, '#f3e9d8', '#c0663f', 0.7),
  },
  {
    key: 'demo-ferme.jpg',
    kind: 'home',
    alt: 'Illustration : corps de ferme et grange au coucher du soleil (image de démonstration)',
    svg:
      hills('#f3c9a0', '#c9a46b', '#9b7b45', '#f08a4b') +
      house(450, 470, '#e8d3b0', '#7a3b2a', 1.1) +
      `<rect x="1000" y="560" width="300" height="260" fill="#8c4b32"/><path d="M980 570 L1150 470 L1320 570Z" fill="#5e2f20"/>`,
  },
  {
    key: 'demo-terrain.jpg',
    kind: 'home',
    alt: 'Illustration : terrain à bâtir en bordure de bois (image de démonstration)',
    svg:
      hills('#cfe6f5', '#9fc77f', '#86b463', '#f9e08b') +
      `<g fill="#3f6b35"><circle cx="200" cy="600" r="90"/><circle cx="320" cy="580" r="110"/><circle cx="1400" cy="620" r="100"/></g><rect x="600" y="760" width="420" height="8" fill="#f5f0e6"/>`,
  },
  {
    key: 'demo-coworking.jpg',
    kind: 'tiers_lieu',
    alt: 'Illustration : bureau partagé avec ordinateur et vue sur la campagne (image de démonstration)',
    svg:
      `<rect width="${W}" height="${H}" fill="#f1ebe1"/><rect x="820" y="120" width="640" height="460" fill="#bfe0f2"/><path d="M820 450 Q1100 360 1460 440 V580 H820Z" fill="#8fbf6a"/><rect x="820" y="120" width="640" height="460" fill="none" stroke="#7b6a58" stroke-width="24"/>` +
      desk(200, 420),
  },
  {
    key: 'demo-atelier.jpg',
    kind: 'tiers_lieu',
    alt: 'Illustration : atelier partagé avec établi et outils (image de démonstration)',
    svg: `<rect width="${W}" height="${H}" fill="#e4e9ec"/><rect x="0" y="760" width="${W}" height="307" fill="#b9a68e"/><rect x="300" y="560" width="1000" height="40" fill="#8b5e3c"/><rect x="340" y="600" width="30" height="200" fill="#6d4a2f"/><rect x="1230" y="600" width="30" height="200" fill="#6d4a2f"/><g fill="#55606b"><rect x="380" y="200" width="30" height="240"/><rect x="480" y="220" width="24" height="220"/><circle cx="700" cy="300" r="70" fill="none" stroke="#55606b" stroke-width="18"/><rect x="900" y="260" width="200" height="120" rx="10"/></g>`,
  },
  {
    key: 'demo-tiers-lieu.jpg',
    kind: 'tiers_lieu',
    alt: 'Illustration : ancienne grange devenue tiers-lieu, grandes baies vitrées (image de démonstration)',
    svg:
      hills('#cde4f0', '#a8c98a', '#7fa85c', '#f6d77a') +
      `<rect x="450" y="430" width="700" height="380" fill="#a5563a"/><path d="M420 440 L800 260 L1180 440Z" fill="#5b3329"/><rect x="560" y="560" width="480" height="250" fill="#cfe3f0"/><path d="M560 560 H1040 M800 560 V810" stroke="#5b3329" stroke-width="14"/>`,
  },
];

/** Writes the placeholder images under `dir/originals` and returns their descriptions. */
export async function writeDemoPhotos(dir: string): Promise<DemoPhoto[]> {
  const originals = join(dir, 'originals');
  await mkdir(originals, { recursive: true });
  const photos: DemoPhoto[] = [];
  for (const scene of scenes) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${scene.svg}</svg>`;
    const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 82 }).toBuffer();
    await writeFile(join(originals, scene.key), jpeg);
    photos.push({ key: scene.key, kind: scene.kind, alt: scene.alt, width: W, height: H });
  }
  return photos;
}
