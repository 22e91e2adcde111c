// Generated placeholder illustrations for the demo offers (no hotlinks, no third-party
// photos): simple SVG drawings rendered to JPEG with sharp, the same bytes every time.
// Each drawing shows a subject — a house, a flat, a farmhouse, a building plot, rooms, a
// coworking space, a workshop, a converted barn — in several palettes and arrangements, so
// that an offer is illustrated by what it is (never a house by an empty meadow).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** What a drawing shows: the outside of each kind of offer, or a room. */
export const photoSubjects = [
  'house',
  'flat',
  'farmhouse',
  'land',
  'living-room',
  'kitchen',
  'bedroom',
  'coworking',
  'workshop',
  'meeting-room',
  'barn',
] as const;
export type PhotoSubject = (typeof photoSubjects)[number];

export interface DemoPhoto {
  key: string;
  width: number;
  height: number;
  alt: string;
  subject: PhotoSubject;
}

const W = 1600;
const H = 1067;

interface Palette {
  name: string;
  sky: string;
  far: string;
  near: string;
  sun: string;
}
const palettes: Palette[] = [
  { name: 'matin de printemps', sky: '#cfe6f5', far: '#a9cf8a', near: '#7fb05a', sun: '#fbe7a1' },
  { name: 'été', sky: '#a9d3ee', far: '#b8cf8e', near: '#8cae62', sun: '#ffd45e' },
  { name: 'automne', sky: '#dbe4ea', far: '#c9a46b', near: '#a8794a', sun: '#f3b15e' },
  { name: 'soir d’été', sky: '#f3c9a0', far: '#b7a26b', near: '#8f8147', sun: '#f08a4b' },
  { name: 'hiver ensoleillé', sky: '#e3eef5', far: '#dfe6e2', near: '#c7d3cc', sun: '#fff3c4' },
];
const walls = ['#efe4cf', '#d9cbb0', '#f3e9d8', '#e8d3b0', '#e6dccb'];
const roofs = ['#b5523b', '#55606b', '#a84c32', '#7a3b2a', '#6b6f73'];
const paints = ['#f1ebe1', '#e8eef1', '#f4e8dc', '#e9efe6'];

const hills = (p: Palette) => `
  <rect width="${W}" height="${H}" fill="${p.sky}"/>
  <circle cx="1250" cy="250" r="110" fill="${p.sun}"/>
  <path d="M0 650 Q400 480 800 620 T1600 560 V${H} H0Z" fill="${p.far}"/>
  <path d="M0 800 Q500 640 1000 780 T1600 740 V${H} H0Z" fill="${p.near}"/>`;

const tree = (x: number, y: number, r: number) =>
  `<rect x="${x - 12}" y="${y}" width="24" height="${r * 1.4}" fill="#5b3a24"/><circle cx="${x}" cy="${y}" r="${r}" fill="#3f6b35"/>`;

const house = (x: number, y: number, wall: string, roof: string, scale = 1) => `
  <g transform="translate(${x} ${y}) scale(${scale})">
    <rect x="0" y="120" width="360" height="220" fill="${wall}"/>
    <path d="M-30 130 L180 0 L390 130Z" fill="${roof}"/>
    <rect x="150" y="220" width="70" height="120" fill="#5b3a24"/>
    <rect x="40" y="170" width="70" height="60" fill="#cfe3f0"/><rect x="260" y="170" width="70" height="60" fill="#cfe3f0"/>
  </g>`;

/** A village building of `floors` storeys with rows of windows (a flat is one of them). */
const building = (x: number, y: number, wall: string, roof: string, floors: number) => {
  const h = floors * 110 + 40;
  const windows = Array.from({ length: floors }, (_, f) =>
    [40, 150, 260].map((wx) => `<rect x="${wx}" y="${40 + f * 110}" width="60" height="70" fill="#cfe3f0"/>`).join(''),
  ).join('');
  return `<g transform="translate(${x} ${y - h})"><rect width="360" height="${h}" fill="${wall}"/><path d="M-20 0 H380 L340 -60 H20Z" fill="${roof}"/>${windows}<rect x="150" y="${h - 90}" width="60" height="90" fill="#5b3a24"/></g>`;
};

/** A barn turned into a tiers-lieu: glass in the old doorway. */
const barn = (x: number, y: number, wall: string, roof: string) =>
  `<rect x="${x}" y="${y}" width="700" height="380" fill="${wall}"/><path d="M${x - 30} ${y + 10} L${x + 350} ${y - 170} L${x + 730} ${y + 10}Z" fill="${roof}"/>` +
  `<rect x="${x + 110}" y="${y + 130}" width="480" height="250" fill="#cfe3f0"/><path d="M${x + 110} ${y + 130} H${x + 590} M${x + 350} ${y + 130} V${y + 380}" stroke="${roof}" stroke-width="14"/>`;

/** A room: wall, floor and a window onto the countryside. */
const room = (paint: string, floor: string, p: Palette, windowX: number) => `
  <rect width="${W}" height="${H}" fill="${paint}"/><rect y="820" width="${W}" height="${H - 820}" fill="${floor}"/>
  <rect x="${windowX}" y="150" width="420" height="380" fill="${p.sky}"/>
  <path d="M${windowX} 430 Q${windowX + 200} 360 ${windowX + 420} 420 V530 H${windowX}Z" fill="${p.near}"/>
  <rect x="${windowX}" y="150" width="420" height="380" fill="none" stroke="#7b6a58" stroke-width="20"/>`;

const sofa = (x: number, colour: string) =>
  `<rect x="${x}" y="640" width="560" height="180" rx="30" fill="${colour}"/><rect x="${x}" y="560" width="560" height="120" rx="30" fill="${colour}" opacity="0.85"/><rect x="${x + 120}" y="850" width="320" height="40" rx="8" fill="#c9b79c"/>`;
const lamp = (x: number) =>
  `<rect x="${x}" y="520" width="10" height="300" fill="#44515b"/><path d="M${x - 50} 520 H${x + 60} L${x + 30} 440 H${x - 20}Z" fill="#f2d58a"/>`;
const kitchen = (colour: string) =>
  `<rect x="100" y="600" width="900" height="220" fill="${colour}"/><rect x="100" y="580" width="900" height="30" fill="#d9d2c5"/><rect x="150" y="200" width="800" height="180" fill="${colour}"/><g fill="#8a8f93"><rect x="400" y="530" width="120" height="50"/><circle cx="700" cy="560" r="26"/></g><rect x="1150" y="700" width="320" height="24" fill="#8b5e3c"/><rect x="1170" y="724" width="18" height="110" fill="#6d4a2f"/><rect x="1432" y="724" width="18" height="110" fill="#6d4a2f"/>`;
const bed = (x: number, colour: string) =>
  `<rect x="${x}" y="560" width="40" height="280" fill="#8b5e3c"/><rect x="${x}" y="680" width="640" height="140" fill="#f5f0e6"/><rect x="${x + 160}" y="650" width="480" height="170" fill="${colour}"/><rect x="${x + 40}" y="640" width="120" height="60" rx="20" fill="#ffffff"/><rect x="${x + 680}" y="700" width="120" height="120" fill="#8b5e3c"/>`;

const desk = (x: number, y: number) => `
  <g transform="translate(${x} ${y})">
    <rect x="0" y="200" width="520" height="24" fill="#8b5e3c"/>
    <rect x="30" y="224" width="20" height="180" fill="#6d4a2f"/><rect x="470" y="224" width="20" height="180" fill="#6d4a2f"/>
    <rect x="150" y="70" width="220" height="130" rx="8" fill="#2f3b44"/><rect x="165" y="85" width="190" height="100" fill="#7fb8d8"/>
    <rect x="120" y="196" width="280" height="10" fill="#44515b"/>
    <circle cx="440" cy="180" r="20" fill="#d9d2c5"/>
  </g>`;
const workbench = (colour: string) =>
  `<rect x="300" y="560" width="1000" height="40" fill="#8b5e3c"/><rect x="340" y="600" width="30" height="200" fill="#6d4a2f"/><rect x="1230" y="600" width="30" height="200" fill="#6d4a2f"/><g fill="${colour}"><rect x="380" y="200" width="30" height="240"/><rect x="480" y="220" width="24" height="220"/><circle cx="700" cy="300" r="70" fill="none" stroke="${colour}" stroke-width="18"/><rect x="900" y="260" width="200" height="120" rx="10"/></g><rect x="1000" y="470" width="180" height="90" fill="#c9702f"/>`;
const meeting = (colour: string) =>
  `<rect x="350" y="620" width="900" height="40" rx="20" fill="#8b5e3c"/><g fill="${colour}">${[420, 620, 820, 1020]
    .map(
      (cx) =>
        `<rect x="${cx}" y="560" width="110" height="60" rx="12"/><rect x="${cx + 10}" y="680" width="90" height="140" rx="12"/>`,
    )
    .join(
      '',
    )}</g><rect x="560" y="170" width="480" height="280" fill="#2f3b44"/><rect x="580" y="190" width="440" height="240" fill="#dfe9ef"/>`;

interface Scene {
  subject: PhotoSubject;
  alt: string;
  svg: string;
}

const demo = ' (image de démonstration)';

/** Every drawing: each subject in several palettes and arrangements (35 in all). */
function scenes(): Scene[] {
  const out: Scene[] = [];
  palettes.forEach((p, i) => {
    out.push({
      subject: 'house',
      alt: `Illustration : maison aux murs clairs et son jardin, ${p.name}${demo}`,
      svg: hills(p) + house(480 + i * 40, 480, walls[i]!, roofs[i]!, 1.1) + tree(1300 - i * 60, 620, 80 + i * 6),
    });
    out.push({
      subject: 'farmhouse',
      alt: `Illustration : corps de ferme et sa grange, ${p.name}${demo}`,
      svg:
        hills(p) +
        house(300, 480, walls[(i + 2) % 5]!, roofs[(i + 3) % 5]!, 1.2) +
        `<rect x="1000" y="560" width="300" height="260" fill="${['#8c4b32', '#7a5a3c', '#8f6a4a', '#6e4b35', '#9a5a3e'][i]}"/><path d="M980 570 L1150 470 L1320 570Z" fill="#5e2f20"/>`,
    });
  });
  palettes.slice(0, 4).forEach((p, i) => {
    out.push({
      subject: 'flat',
      alt: `Illustration : immeuble de village de ${3 + (i % 2)} étages sur la place, ${p.name}${demo}`,
      svg:
        hills(p) +
        building(520, 900, walls[i]!, roofs[(i + 1) % 5]!, 3 + (i % 2)) +
        house(1000, 560, walls[(i + 3) % 5]!, roofs[i]!, 0.8),
    });
    out.push({
      subject: 'land',
      alt: `Illustration : terrain à bâtir piqueté en bordure de bois, ${p.name}${demo}`,
      svg:
        hills(p) +
        tree(180 + i * 30, 600, 90) +
        tree(330 + i * 30, 580, 110) +
        tree(1400 - i * 40, 620, 100) +
        `<path d="M600 760 H1040 L1100 900 H540Z" fill="none" stroke="#f5f0e6" stroke-width="8" stroke-dasharray="24 16"/>`,
    });
    out.push({
      subject: 'barn',
      alt: `Illustration : ancienne grange devenue tiers-lieu, grandes baies vitrées, ${p.name}${demo}`,
      svg: hills(p) + barn(450, 430, ['#a5563a', '#8c6a4f', '#b07b52', '#7d5a44'][i]!, '#5b3329'),
    });
  });
  const floors = ['#b9a68e', '#c8b89f', '#a98d70'];
  const fabrics = ['#5d7d8c', '#8c5d5d', '#6f8c5d'];
  [0, 1, 2].forEach((i) => {
    const p = palettes[i + 1]!;
    out.push({
      subject: 'living-room',
      alt: `Illustration : séjour lumineux avec canapé et vue sur la campagne${demo}`,
      svg: room(paints[i]!, floors[i]!, p, 900 - i * 250) + sofa(150 + i * 300, fabrics[i]!) + lamp(1450 - i * 80),
    });
    out.push({
      subject: 'kitchen',
      alt: `Illustration : cuisine équipée avec table et fenêtre sur le jardin${demo}`,
      svg: room(paints[(i + 1) % 4]!, floors[i]!, p, 1100) + kitchen(['#7f9c8a', '#c9b28f', '#8a9bb0'][i]!),
    });
    out.push({
      subject: 'bedroom',
      alt: `Illustration : chambre calme avec lit et fenêtre sur les prés${demo}`,
      svg: room(paints[(i + 2) % 4]!, floors[i]!, p, 200 + i * 420) + bed(700 - i * 250, fabrics[(i + 1) % 3]!),
    });
    out.push({
      subject: 'coworking',
      alt: `Illustration : bureaux partagés avec ordinateurs et vue sur la campagne${demo}`,
      svg: room(paints[i]!, floors[i]!, p, 1000) + desk(120, 420) + desk(560 - i * 40, 440),
    });
    out.push({
      subject: 'workshop',
      alt: `Illustration : atelier partagé avec établi, outils et machines${demo}`,
      svg:
        `<rect width="${W}" height="${H}" fill="${paints[(i + 1) % 4]!}"/><rect x="0" y="760" width="${W}" height="307" fill="${floors[i]!}"/>` +
        workbench(['#55606b', '#3f5566', '#6b5a4f'][i]!),
    });
  });
  [0, 1].forEach((i) => {
    out.push({
      subject: 'meeting-room',
      alt: `Illustration : salle de réunion avec écran et grande table${demo}`,
      svg: room(paints[i + 1]!, floors[i]!, palettes[i]!, 1120) + meeting(['#5d7d8c', '#8c7a5d'][i]!),
    });
  });
  return out;
}

/** Writes the illustrations under `dir/originals` and returns their descriptions. */
export async function writeDemoPhotos(dir: string): Promise<DemoPhoto[]> {
  const originals = join(dir, 'originals');
  await mkdir(originals, { recursive: true });
  const counts = new Map<PhotoSubject, number>();
  const photos: DemoPhoto[] = [];
  for (const scene of scenes()) {
    const n = (counts.get(scene.subject) ?? 0) + 1;
    counts.set(scene.subject, n);
    const key = `demo-${scene.subject}-${n}.jpg`;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${scene.svg}</svg>`;
    const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 82 }).toBuffer();
    await writeFile(join(originals, key), jpeg);
    photos.push({ key, subject: scene.subject, alt: scene.alt, width: W, height: H });
  }
  return photos;
}

/**
 * The subjects of an offer's photos, first the cover: its own kind outside, then rooms (a
 * plot gets only plots; a tiers-lieu its spaces).
 */
export function subjectsFor(offer: { kind: 'home' | 'tiers_lieu'; homeType: string | null; typology: string | null }) {
  if (offer.kind === 'home') {
    const outside: PhotoSubject =
      offer.homeType === 'flat'
        ? 'flat'
        : offer.homeType === 'farmhouse'
          ? 'farmhouse'
          : offer.homeType === 'land'
            ? 'land'
            : 'house';
    return outside === 'land' ? (['land', 'land'] as const) : ([outside, 'living-room', 'kitchen', 'bedroom'] as const);
  }
  if (offer.typology === 'fablab' || offer.typology === 'workshop') return ['workshop', 'coworking', 'barn'] as const;
  if (offer.typology === 'hybrid') return ['barn', 'coworking', 'workshop', 'meeting-room'] as const;
  return ['coworking', 'meeting-room', 'barn'] as const;
}
