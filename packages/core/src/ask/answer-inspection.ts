/**
 * Answers from the inspection record itself: is there a defect, what kind, where, how big.
 * Each returns the short answer and adds cited evidence to the draft.
 */
import type { AnswerDraft } from './answer-draft.ts';
import { countLabels, findingsBySize, isGoodLabel, judgesDefects, namesDefectTypes, probabilityOf } from './answer-draft.ts';
import { percent } from './certainty.ts';
import { aLabel, describeFinding, findingPoint, inRegion, inRegions, isNearEdge, regionOfPoint, spokenLabel } from './geometry.ts';
import { rankedRegions } from './heatmap-summary.ts';
import type { AskContext, AskExplanationSummary, AskFinding, ImageRegion } from './types.ts';

/** Adds up to `max` finding lines (geometry in words), largest first. */
function addFindingLines(d: AnswerDraft, max = 3): void {
  const i = d.ctx.inspection;
  const list = findingsBySize(d.ctx);
  for (const { f, index } of list.slice(0, max)) {
    const g = describeFinding(f, i.image, i.pixelSizeMm);
    d.add(`Finding ${index + 1}: ${g.text} (score ${f.score.toFixed(2)}${f.severity ? `, ${f.severity}` : ''}).`, d.finding(index));
  }
  if (list.length > max) d.add(`${list.length - max} more finding(s) are not listed here.`, d.field('findings', `findings: ${list.length}`));
}

/** The review line, when a person has reviewed the inspection. */
export function addReview(d: AnswerDraft): void {
  const r = d.ctx.inspection.review;
  if (!r) return;
  const what = r.outcome === 'corrected' ? `corrected it${r.label ? ` to ${spokenLabel(r.label)}` : ''}` : `${r.outcome} the verdict`;
  d.add(`A reviewer${r.reviewer ? ` (${r.reviewer})` : ''} ${what} on ${r.createdAt.slice(0, 10)}.`, d.field('review', `review: ${r.outcome}${r.label ? ` (${r.label})` : ''}`));
}

/** Whether a finding lies in a named region (grid cell of its centroid, or near the edge). */
function findingInRegion(ctx: AskContext, index: number, region: ImageRegion): boolean {
  const f = ctx.inspection.findings[index];
  const p = findingPoint(f);
  const { width, height } = ctx.inspection.image;
  if (!p || !f.box) return false;
  return region === 'edge' ? isNearEdge(f.box, width, height) : regionOfPoint(p[0], p[1], width, height) === region;
}

const GOOD_WORDS = /\b(?:ok|okay|good|fine|acceptable|accept|pass|passes|clean|sound|intact|flawless|healthy|ship|usable|meet|meets)\b|\bfree of\b|\bdefect free\b/;
const BAD_WORDS = /\b(?:defects?|defective|flaws?|fault|faulty|wrong|damaged?|rejected|reject|fail|failed|problems?|anomal\w*|scrap|bad)\b/;

/**
 * Whether a yes/no question asks if the part is good ("is it OK?", "is it free of defects?",
 * "can I ship it?"), so that "yes" means "no defect". Questions offering both ("good or
 * bad?") are read as asking about a defect.
 */
export function asksIfGood(question: string): boolean {
  const t = question.toLowerCase().replace(/[^a-z ]+/g, ' ');
  if (/\bor\b/.test(t) || !GOOD_WORDS.test(t)) return false;
  return !BAD_WORDS.test(t) || /\bfree of\b|\bdefect free\b|\bwithout\b/.test(t);
}

/** "Is there a defect?" (also "is there a crack?", "anything in the upper left?"). Starts with Yes or No. */
export function answerDefectPresent(d: AnswerDraft): string {
  const { ctx, parsed } = d;
  const i = ctx.inspection;
  const v = d.verdict();
  d.add(`Verdict: ${i.verdict}, defect score ${i.defectScore.toFixed(2)}${i.threshold !== undefined ? ` against the threshold ${i.threshold.toFixed(2)}` : ''}.`, v, d.field('defectScore', `defect score: ${i.defectScore.toFixed(3)}`));
  addFindingLines(d);
  addReview(d);
  if (!judgesDefects(ctx)) {
    d.add(`The model's labels are ${ctx.model.labels.join(', ')}; none means "good".`, d.card('labels', `labels: ${ctx.model.labels.join(', ')}`));
    return `No verdict on defects: this model names the class (${spokenLabel(i.label)}, ${percent(i.score)}) and has no "good" class.`;
  }
  const asked = parsed.slots.classNames.filter((c) => !isGoodLabel(ctx, c));
  const regions = parsed.slots.regions;
  const defectFindings = i.findings.map((f, index) => ({ f, index })).filter(({ f }) => !isGoodLabel(ctx, f.label));
  if (asked.length && namesDefectTypes(ctx)) {
    const cls = asked[0];
    let hits = defectFindings.filter(({ f }) => f.label === cls);
    if (regions.length) hits = hits.filter(({ index }) => regions.some((r) => findingInRegion(ctx, index, r)));
    const where = regions.length ? ` ${inRegions(regions)}` : '';
    if (i.task === 'classify') {
      const p = probabilityOf(ctx, cls);
      if (p !== undefined) d.add(`The model gives ${spokenLabel(cls)} a probability of ${percent(p)}.`, d.field('probabilities', 'class probabilities'));
      return i.label === cls && i.verdict === 'reject' ? `Yes: the model classifies it as ${aLabel(cls)} (${percent(i.score)}).` : `No: the model classifies it as ${spokenLabel(i.label)}, not ${spokenLabel(cls)}.`;
    }
    if (hits.length) return `Yes: the model found ${countLabels(hits.map((h) => h.f.label))}${where}.`;
    const others = defectFindings.length ? `; it found ${countLabels(defectFindings.map((h) => h.f.label))} instead` : '';
    return `No: the model found no ${spokenLabel(cls)}${where}${others}.`;
  }
  if (regions.length && defectFindings.some(({ f }) => f.box)) {
    const hits = defectFindings.filter(({ index }) => regions.some((r) => findingInRegion(ctx, index, r)));
    const where = inRegions(regions);
    return hits.length ? `Yes: the model found ${countLabels(hits.map((h) => h.f.label))} ${where}.` : `No: the model found nothing ${where}${defectFindings.length ? `, but it found ${countLabels(defectFindings.map((h) => h.f.label))} elsewhere` : ''}.`;
  }
  const good = asksIfGood(parsed.text);
  if (i.verdict === 'reject') {
    const kinds = namesDefectTypes(ctx) && defectFindings.length ? `: the model found ${countLabels(defectFindings.map((h) => h.f.label))}` : ` (defect score ${i.defectScore.toFixed(2)})`;
    return `${good ? 'No' : 'Yes'}, the part is rejected${kinds}.`;
  }
  return `${good ? 'Yes' : 'No'}, the part passes: no defect was found (defect score ${i.defectScore.toFixed(2)}${i.threshold !== undefined ? `, below the threshold ${i.threshold.toFixed(2)}` : ''}).`;
}

/** "What kind of defect is it?" Names the class first. */
export function answerDefectType(d: AnswerDraft): string {
  const { ctx, parsed } = d;
  const i = ctx.inspection;
  const asked = parsed.slots.classNames.find((c) => !isGoodLabel(ctx, c));
  if (i.task === 'classify') {
    const l = d.field('label', `label: ${i.label} (${percent(i.score)})`);
    const probs = [...(i.probabilities ?? [])].sort((a, b) => b.p - a.p);
    if (probs.length) d.add(`Class probabilities: ${probs.slice(0, 3).map((p) => `${spokenLabel(p.label)} ${percent(p.p)}`).join(', ')}.`, d.field('probabilities', 'class probabilities'));
    d.add(`Predicted label: ${spokenLabel(i.label)} with probability ${percent(i.score)}.`, l);
    addReview(d);
    if (!namesDefectTypes(ctx)) {
      d.add(`The model's labels are ${ctx.model.labels.join(', ')}.`, d.card('labels', `labels: ${ctx.model.labels.join(', ')}`));
      return i.verdict === 'reject'
        ? `The model does not name defect types: it only says the part is defective (${percent(i.score)}).`
        : `No defect: the model classifies it as ${spokenLabel(i.label)} (${percent(i.score)}).`;
    }
    const name = spokenLabel(i.label);
    if (isGoodLabel(ctx, i.label)) return `No defect: the model classifies it as ${name} (${percent(i.score)}).`;
    if (asked && asked !== i.label) return `No, it is ${aLabel(name)} (${percent(i.score)}), not ${aLabel(asked)}.`;
    return `${asked ? 'Yes, it is' : 'It is'} ${aLabel(name)} (${percent(i.score)}).`;
  }
  const v = d.verdict();
  addFindingLines(d);
  addReview(d);
  const defects = findingsBySize(ctx).filter(({ f }) => !isGoodLabel(ctx, f.label));
  if (!defects.length) {
    d.add(`No finding; verdict ${i.verdict}.`, v);
    return `No defect was found, so there is no defect type (verdict ${i.verdict}).`;
  }
  if (!namesDefectTypes(ctx)) {
    d.add(`The model's labels are ${ctx.model.labels.join(', ')}.`, d.card('labels', `labels: ${ctx.model.labels.join(', ')}`));
    return `The model does not name defect types: it found ${defects.length === 1 ? 'one anomalous region' : `${defects.length} anomalous regions`}.`;
  }
  const main = spokenLabel(defects[0].f.label);
  const all = countLabels(defects.map((x) => x.f.label));
  const more = defects.length > 1 ? ` The findings are ${all}.` : '';
  if (asked && asked !== defects[0].f.label) {
    if (!defects.some(({ f }) => f.label === asked)) return `No, it is ${aLabel(main)}, not ${aLabel(asked)}.${more}`;
    return `Yes, there is ${aLabel(asked)}, but the largest finding is ${aLabel(main)}.${more}`;
  }
  return `${asked ? 'Yes, it is' : 'It is'} ${aLabel(main)}.${more}`;
}

/** Findings of one class in one grid region, as a location answer names them. */
interface RegionGroup {
  label: string;
  region: Exclude<ImageRegion, 'edge'>;
  /** the group's findings, largest first */
  members: { f: AskFinding; index: number }[];
  /** summed area in pixels */
  area: number;
  /** highest finding score (an anomaly finding's score is the map's peak inside it) */
  score: number;
}

/**
 * Findings grouped by class and grid region (a cluster of pores split into several
 * components is one place, not several), in the order a location answer names them:
 * groups of `first`'s class before the others; within a class, for an anomaly detector the
 * group holding the highest map value first (the strongest evidence, where the image
 * score comes from), for other models the group with the most area first; the remaining
 * classes by area. `located` must hold findings with boxes, largest first.
 */
function locationGroups(ctx: AskContext, located: readonly { f: AskFinding; index: number }[], first: string): RegionGroup[] {
  const { width, height } = ctx.inspection.image;
  const groups = new Map<string, RegionGroup>();
  for (const x of located) {
    const p = findingPoint(x.f) as [number, number];
    const region = regionOfPoint(p[0], p[1], width, height);
    const key = `${x.f.label}\u0000${region}`;
    const g = groups.get(key) ?? { label: x.f.label, region, members: [], area: 0, score: 0 };
    g.members.push(x);
    g.area += x.f.area ?? 0;
    g.score = Math.max(g.score, x.f.score);
    groups.set(key, g);
  }
  const byEvidence = ctx.inspection.task === 'anomaly';
  const rank = (a: RegionGroup, b: RegionGroup): number =>
    Number(b.label === first) - Number(a.label === first) || (byEvidence ? b.score - a.score || b.area - a.area : b.area - a.area || b.score - a.score);
  return [...groups.values()].sort(rank);
}

/** Where an explanation map points when the model outlines no region: an anomaly map's peak, another map's most massive grid cell. */
function mapPointer(d: AnswerDraft, e: AskExplanationSummary): Exclude<ImageRegion, 'edge'> {
  const id = d.book.cite('explanation', e.id, `explanation ${e.method}`);
  if (e.method === 'anomalymap') {
    // The image score is taken where the anomaly map is highest: its peak is the strongest evidence.
    const region = regionOfPoint(e.peak[0], e.peak[1], 1, 1);
    d.add(`The anomaly map is highest ${inRegion(region)} (at ${percent(e.peak[0])} of the width and ${percent(e.peak[1])} of the height), though no pixel passes the pixel threshold.`, id);
    return region;
  }
  const top = rankedRegions(e)[0];
  d.add(`The ${e.method} explanation puts ${percent(top.share)} of its weight ${inRegion(top.region)}.`, id);
  return top.region;
}

/**
 * "Where is the defect?" Names first the class the type answer names (the asked class when
 * the model found it, else the largest finding's) in the grid region holding most of it
 * (for an anomaly detector: the strongest evidence), then the other findings.
 */
export function answerLocation(d: AnswerDraft): string {
  const { ctx, parsed } = d;
  const i = ctx.inspection;
  const v = d.verdict();
  d.add(`Image size ${i.image.width} x ${i.image.height} px${i.pixelSizeMm ? `, ${i.pixelSizeMm} mm per pixel` : ''}.`, d.field('image', `image: ${i.image.width} x ${i.image.height}`));
  const asked = parsed.slots.classNames.filter((c) => !isGoodLabel(ctx, c));
  let located = findingsBySize(ctx).filter(({ f }) => f.box && !isGoodLabel(ctx, f.label));
  if (asked.length && namesDefectTypes(ctx) && located.some(({ f }) => asked.includes(f.label))) located = located.filter(({ f }) => asked.includes(f.label));
  addFindingLines(d);
  if (!located.length) {
    if (i.verdict === 'pass') {
      d.add(`Verdict ${i.verdict}: no finding.`, v);
      return 'No defect was found, so there is nothing to locate.';
    }
    const e = ctx.explanations.find((x) => !x.degenerate);
    if (e) {
      const region = mapPointer(d, e);
      const where = e.method === 'anomalymap' ? `its anomaly map is highest ${inRegion(region)}` : `its ${e.method} explanation points ${inRegion(region).replace(/^(in|at|on) /, 'to ')}`;
      return `${i.task === 'classify' ? 'The model classifies the whole image and gives no defect region' : 'The model gives no defect region'}; ${where}.`;
    }
    return `${i.task === 'classify' ? 'The model classifies the whole image and does not locate defects' : 'The model gives no defect region'}; no explanation map is available to point to a region.`;
  }
  const first = located[0];
  const g = describeFinding(first.f, i.image, i.pixelSizeMm);
  const label = spokenLabel(first.f.label);
  if (parsed.slots.regions.length) {
    const r = parsed.slots.regions;
    const hit = located.find(({ index }) => r.some((x) => findingInRegion(ctx, index, x)));
    if (hit) {
      const gh = describeFinding(hit.f, i.image, i.pixelSizeMm);
      return `Yes: the ${spokenLabel(hit.f.label)} is ${inRegion(gh.region as ImageRegion)}${gh.nearEdge ? ', near the edge' : ''}.`;
    }
    return `No: the ${label} is ${inRegion(g.region as ImageRegion)}${g.nearEdge ? ', near the edge' : ''}, not ${inRegions(r)}.`;
  }
  const [main, ...rest] = locationGroups(ctx, located, first.f.label);
  const lead = main.members[0].f;
  const edge = lead.box && isNearEdge(lead.box, i.image.width, i.image.height) ? ', near the edge' : '';
  const several = main.members.length > 1 ? ` (${main.members.length} findings)` : '';
  const more = rest.reduce((n, x) => n + x.members.length, 0);
  const others = more ? ` ${more === 1 ? 'One more finding' : `${more} more findings`}: ${rest.slice(0, 2).map((x) => `${countLabels(x.members.map((m) => m.f.label))} ${inRegion(x.region)}`).join('; ')}.` : '';
  return `The ${spokenLabel(main.label)} is ${inRegion(main.region)}${edge}${several}.${others}`;
}

/** "How big is it?" Size, extent and the severity grade. */
export function answerSeverity(d: AnswerDraft): string {
  const { ctx } = d;
  const i = ctx.inspection;
  const v = d.verdict();
  addFindingLines(d);
  addReview(d);
  const defects = findingsBySize(ctx).filter(({ f }) => !isGoodLabel(ctx, f.label));
  if (!defects.length) {
    d.add(`Verdict ${i.verdict}, no finding.`, v);
    return 'No defect was found, so there is nothing to size or grade.';
  }
  const order = { critical: 3, major: 2, minor: 1 } as const;
  const worst = [...defects].sort((a, b) => (order[b.f.severity ?? 'minor'] ?? 0) - (order[a.f.severity ?? 'minor'] ?? 0))[0];
  const g = describeFinding(worst.f, i.image, i.pixelSizeMm);
  const grade = worst.f.severity ?? 'ungraded';
  const count = defects.length === 1 ? 'There is one finding' : `There are ${defects.length} findings (${countLabels(defects.map((x) => x.f.label))})`;
  if (!worst.f.box) return `${count}, graded ${grade}; the model gives no size for an image-level finding.`;
  return defects.length === 1 ? `${count}, graded ${grade}: ${g.text}.` : `${count}; the worst is graded ${grade}: ${g.text}.`;
}
