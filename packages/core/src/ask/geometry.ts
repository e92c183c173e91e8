/**
 * Findings geometry in words: which of the nine regions of a 3 x 3 grid a point lies in,
 * whether a box is near the image's edge, and a finding's size in millimetres (when the
 * card gives a calibrated pixel size) or in pixels and share of the image.
 */
import type { AskFinding, ImageRegion } from './types.ts';

/** The nine grid regions, row by row from the upper left. */
export const GRID_REGIONS: readonly Exclude<ImageRegion, 'edge'>[] = [
  'upper left', 'top', 'upper right',
  'left', 'centre', 'right',
  'lower left', 'bottom', 'lower right',
];

/** A box within this share of the shorter image side from a border is "near the edge". */
export const EDGE_MARGIN = 0.08;

/**
 * The grid region of a point: column floor(3 x / width), row floor(3 y / height), both
 * clamped to 0..2.
 */
export function regionOfPoint(x: number, y: number, width: number, height: number): Exclude<ImageRegion, 'edge'> {
  const col = Math.min(2, Math.max(0, Math.floor((3 * x) / width)));
  const row = Math.min(2, Math.max(0, Math.floor((3 * y) / height)));
  return GRID_REGIONS[row * 3 + col];
}

/** Whether a box [x0, y0, x1, y1) comes within {@link EDGE_MARGIN} of the shorter side of a border. */
export function isNearEdge(box: readonly [number, number, number, number], width: number, height: number): boolean {
  const m = EDGE_MARGIN * Math.min(width, height);
  return box[0] < m || box[1] < m || width - box[2] < m || height - box[3] < m;
}

/** The point a finding is placed by: its mask centroid, else its box centre; undefined for an image-level finding. */
export function findingPoint(f: AskFinding): [number, number] | undefined {
  if (f.centroid) return f.centroid;
  if (f.box) return [(f.box[0] + f.box[2]) / 2, (f.box[1] + f.box[3]) / 2];
  return undefined;
}

/** Where and how big a finding is. */
export interface FindingGeometry {
  /** grid region of the centroid; undefined for an image-level finding */
  region?: Exclude<ImageRegion, 'edge'>;
  nearEdge: boolean;
  /** length in pixels (see {@link describeFinding}) */
  lengthPx?: number;
  /** length in millimetres when a pixel size is known */
  lengthMm?: number;
  /** area as a share of the image */
  areaShare?: number;
  /** "a 12 mm scratch in the upper left, near the edge" */
  text: string;
}

function fmt(v: number): string {
  return v >= 10 ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
}

/** Lower case, underscores as spaces: how a label reads in a sentence. */
export function spokenLabel(label: string): string {
  return label.replace(/_/g, ' ');
}

/** A region with its preposition: "in the upper left", "at the top", "on the left", "near the edge". */
export function inRegion(region: ImageRegion): string {
  switch (region) {
    case 'top':
    case 'bottom':
      return `at the ${region}`;
    case 'left':
    case 'right':
      return `on the ${region}`;
    case 'edge':
      return 'near the edge';
    default:
      return `in the ${region}`;
  }
}

/** Regions joined with "or", each with its preposition. */
export function inRegions(regions: readonly ImageRegion[]): string {
  return regions.map(inRegion).join(' or ');
}

/** Class names read as mass nouns, without an article ("porosity in the centre"). */
const MASS_NOUNS = new Set(['porosity', 'lack of fusion', 'corrosion', 'contamination', 'background']);

/** Whether a label reads as a mass noun ("porosity"). */
export function isMassNoun(label: string): boolean {
  return MASS_NOUNS.has(spokenLabel(label));
}

/** A label as a noun phrase: "a scratch", "an eosinophil", "porosity". */
export function aLabel(label: string): string {
  const s = spokenLabel(label);
  return MASS_NOUNS.has(s) ? s : `${article(s)} ${s}`;
}

/** "a" or "an" before a word or a number as it is spoken ("an 8", "an 11", "a 12"). */
export function article(word: string): string {
  if (/^\d/.test(word)) return /^8|^1[18](?:\.|$)/.test(word) ? 'an' : 'a';
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** "a 12 mm scratch", or "12 mm of porosity" for a mass noun. */
function sized(size: string, name: string): string {
  return MASS_NOUNS.has(name) ? `${size} of ${name}` : `${article(size)} ${size} ${name}`;
}

/**
 * A finding's geometry in words. Length: a thin or diagonal shape (area under 35 % of its
 * box) is as long as its box's diagonal, anything else as its box's longer side; with
 * `pixelSizeMm` it is given in millimetres, else in pixels with the area's share of the image.
 * @param f the finding (box and centroid in original image pixels)
 * @param image the original image size
 * @param pixelSizeMm millimetres per pixel, when the card is calibrated
 */
export function describeFinding(f: AskFinding, image: { width: number; height: number }, pixelSizeMm?: number): FindingGeometry {
  const name = spokenLabel(f.label);
  const point = findingPoint(f);
  if (!point || !f.box) return { nearEdge: false, text: `${aLabel(f.label)} over the image as a whole (the model gives no region)` };
  const region = regionOfPoint(point[0], point[1], image.width, image.height);
  const nearEdge = isNearEdge(f.box, image.width, image.height);
  const bw = f.box[2] - f.box[0];
  const bh = f.box[3] - f.box[1];
  const area = f.area ?? bw * bh;
  const thin = area < 0.35 * bw * bh;
  const lengthPx = thin ? Math.hypot(bw, bh) : Math.max(bw, bh);
  const areaShare = area / (image.width * image.height);
  const where = `${inRegion(region)}${nearEdge ? ', near the edge' : ''}`;
  if (pixelSizeMm !== undefined && pixelSizeMm > 0) {
    const lengthMm = lengthPx * pixelSizeMm;
    return { region, nearEdge, lengthPx, lengthMm, areaShare, text: `${sized(`${fmt(lengthMm)} mm`, name)} ${where}` };
  }
  const pct = areaShare * 100;
  return {
    region,
    nearEdge,
    lengthPx,
    areaShare,
    text: `${sized(`${fmt(lengthPx)} px`, name)} ${where}, covering ${pct < 0.1 ? 'under 0.1' : fmt(pct)}% of the image`,
  };
}
