/**
 * Monitoring in words and forms: the signals and alert metrics people pick from, the
 * monitor and alert-rule forms turned into request bodies (checked before sending), the
 * windows described as sentences, alerts ordered for action, and drift levels as numbers
 * for a time series.
 */
import type { components } from '@xai-qc/client';

type Schemas = components['schemas'];
/** A monitor's reference window. */
export type MonitorReference = Schemas['MonitorReference'];
/** A monitor's current window. */
export type MonitorCurrent = Schemas['MonitorCurrent'];
/** A drift level. */
export type DriftLevel = 'none' | 'possible' | 'drift';

/** The signals a monitor can check, grouped, with a word on each. */
export const SIGNALS: { name: string; group: string; hint: string }[] = [
  { name: 'brightness', group: 'Image', hint: 'mean grey level' },
  { name: 'contrast', group: 'Image', hint: 'spread of grey levels' },
  { name: 'sharpness', group: 'Image', hint: 'variance of the Laplacian' },
  { name: 'saturation', group: 'Image', hint: 'colour saturation' },
  { name: 'width', group: 'Image', hint: 'pixels' },
  { name: 'height', group: 'Image', hint: 'pixels' },
  { name: 'meanR', group: 'Image', hint: 'red mean' },
  { name: 'meanG', group: 'Image', hint: 'green mean' },
  { name: 'meanB', group: 'Image', hint: 'blue mean' },
  { name: 'embedding', group: 'Model', hint: 'pooled features (domain classifier)' },
  { name: 'score', group: 'Model', hint: 'top score' },
  { name: 'defectScore', group: 'Model', hint: 'defect probability' },
  { name: 'predictedClass', group: 'Model', hint: 'class mix (chi-squared)' },
  { name: 'uncertainty', group: 'Model', hint: 'when computed' },
  { name: 'latencyMs', group: 'Model', hint: 'inference time' },
];

/** The default selection of a new monitor. */
export const DEFAULT_SIGNALS = ['brightness', 'contrast', 'sharpness', 'score', 'predictedClass', 'embedding'];

/** Metrics an alert rule can watch, with their unit and whether they need a model. */
export const ALERT_METRICS: { name: string; label: string; hint: string; needsModel?: boolean }[] = [
  { name: 'escapeRate', label: 'Escape rate', hint: 'share of reviewed defects the model passed (0 to 1)' },
  { name: 'falseRejectRate', label: 'False-reject rate', hint: 'share of reviewed good parts the model rejected (0 to 1)' },
  { name: 'referralRate', label: 'Referral rate', hint: 'share of inspections sent to review (0 to 1)' },
  { name: 'ece', label: 'Calibration error (ECE)', hint: 'expected calibration error (0 to 1)', needsModel: true },
  { name: 'driftLevel', label: 'Drift level', hint: "latest monitor level: 0 none, 1 possible, 2 drift", needsModel: true },
  { name: 'latencyP99', label: 'Latency p99', hint: 'milliseconds' },
  { name: 'errorRate', label: 'Error rate', hint: 'failed inspections over all (0 to 1)' },
];

/** The monitor form as typed. */
export interface MonitorFormState {
  name: string;
  modelName: string;
  version: string;
  referenceKind: 'first' | 'range' | 'dataset';
  referenceCount: string;
  referenceFrom: string;
  referenceTo: string;
  datasetId: string;
  currentKind: 'count' | 'minutes';
  currentCount: string;
  currentMinutes: string;
  intervalMinutes: string;
  signals: string[];
  enabled: boolean;
}

/** A fresh monitor form. */
export const EMPTY_MONITOR_FORM: MonitorFormState = {
  name: '',
  modelName: '',
  version: '',
  referenceKind: 'first',
  referenceCount: '200',
  referenceFrom: '',
  referenceTo: '',
  datasetId: '',
  currentKind: 'count',
  currentCount: '200',
  currentMinutes: '1440',
  intervalMinutes: '60',
  signals: DEFAULT_SIGNALS,
  enabled: true,
};

/** The body of `POST /monitors`. */
export interface MonitorBody {
  name: string;
  model: { name: string; version: string };
  reference: MonitorReference;
  current: MonitorCurrent;
  intervalMinutes: number;
  signals: string[];
  enabled: boolean;
}

const int = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN);

/** The monitor body, or the problems by field name (the server's names: `reference.count`, ...). */
export function buildMonitorBody(f: MonitorFormState): { body?: MonitorBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!f.name.trim()) errors.name = 'Give the monitor a name.';
  if (!f.modelName) errors['model.name'] = 'Choose the model.';
  if (!f.version) errors['model.version'] = 'Choose the version to watch.';
  let reference: MonitorReference | undefined;
  if (f.referenceKind === 'first') {
    const n = int(f.referenceCount);
    if (!(n >= 5 && n <= 5000)) errors['reference.count'] = 'A whole number from 5 to 5000.';
    else reference = { kind: 'first', count: n };
  } else if (f.referenceKind === 'range') {
    const from = Date.parse(f.referenceFrom);
    const to = Date.parse(f.referenceTo);
    if (Number.isNaN(from)) errors['reference.from'] = 'Choose when the reference starts.';
    if (Number.isNaN(to)) errors['reference.to'] = 'Choose when the reference ends.';
    else if (!Number.isNaN(from) && to <= from) errors['reference.to'] = 'The end must come after the start.';
    if (!errors['reference.from'] && !errors['reference.to']) reference = { kind: 'range', from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  } else {
    if (!f.datasetId) errors['reference.datasetId'] = 'Choose the dataset whose validation split is the reference.';
    else reference = { kind: 'dataset', datasetId: f.datasetId };
  }
  let current: MonitorCurrent | undefined;
  if (f.currentKind === 'count') {
    const n = int(f.currentCount);
    if (!(n >= 5 && n <= 5000)) errors['current.count'] = 'A whole number from 5 to 5000.';
    else current = { kind: 'count', count: n };
  } else {
    const n = int(f.currentMinutes);
    if (!(n >= 1 && n <= 525_600)) errors['current.minutes'] = 'A whole number of minutes from 1 to 525600.';
    else current = { kind: 'minutes', minutes: n };
  }
  const interval = int(f.intervalMinutes);
  if (!(interval >= 1 && interval <= 525_600)) errors.intervalMinutes = 'A whole number of minutes from 1 to 525600.';
  if (f.signals.length === 0) errors.signals = 'Choose at least one signal.';
  else if (f.signals.length > 20) errors.signals = 'Choose at most 20 signals.';
  if (Object.keys(errors).length || !reference || !current) return { errors };
  return {
    body: { name: f.name.trim(), model: { name: f.modelName, version: f.version }, reference, current, intervalMinutes: interval, signals: f.signals, enabled: f.enabled },
    errors,
  };
}

/** The alert-rule form as typed. */
export interface RuleFormState {
  name: string;
  metric: string;
  modelName: string;
  version: string;
  comparator: '>' | '<';
  threshold: string;
  windowMinutes: string;
  forMinutes: string;
  cooldownMinutes: string;
  enabled: boolean;
}

/** A fresh rule form. */
export const EMPTY_RULE_FORM: RuleFormState = {
  name: '',
  metric: 'escapeRate',
  modelName: '',
  version: '',
  comparator: '>',
  threshold: '0.02',
  windowMinutes: '1440',
  forMinutes: '0',
  cooldownMinutes: '60',
  enabled: true,
};

/** The body of `POST /alert-rules`. */
export interface RuleBody {
  name: string;
  metric: string;
  model?: { name: string; version?: string };
  comparator: '>' | '<';
  threshold: number;
  windowMinutes: number;
  forMinutes: number;
  cooldownMinutes: number;
  enabled: boolean;
}

/** The rule body, or the problems by field name. */
export function buildRuleBody(f: RuleFormState): { body?: RuleBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!f.name.trim()) errors.name = 'Give the rule a name.';
  const metric = ALERT_METRICS.find((m) => m.name === f.metric);
  if (!metric) errors.metric = 'Choose the figure to watch.';
  else if (metric.needsModel && !f.modelName) errors['model.name'] = `${metric.label} is computed per model: choose one.`;
  const threshold = f.threshold.trim() === '' ? NaN : Number(f.threshold);
  if (!Number.isFinite(threshold)) errors.threshold = 'A number.';
  const minutes = (key: 'windowMinutes' | 'forMinutes' | 'cooldownMinutes', min: number) => {
    const n = int(f[key]);
    if (!(n >= min && n <= 525_600)) errors[key] = `A whole number of minutes from ${min} to 525600.`;
    return n;
  };
  const windowMinutes = minutes('windowMinutes', 1);
  const forMinutes = minutes('forMinutes', 0);
  const cooldownMinutes = minutes('cooldownMinutes', 0);
  if (Object.keys(errors).length) return { errors };
  const body: RuleBody = { name: f.name.trim(), metric: f.metric, comparator: f.comparator, threshold, windowMinutes, forMinutes, cooldownMinutes, enabled: f.enabled };
  if (f.modelName) body.model = f.version ? { name: f.modelName, version: f.version } : { name: f.modelName };
  return { body, errors };
}

/** Minutes as "45 min", "6 h", "2 d". */
export function minutesText(m: number): string {
  if (m === 0) return '0 min';
  if (m % 1440 === 0) return `${m / 1440} d`;
  if (m % 60 === 0) return `${m / 60} h`;
  return `${m} min`;
}

/** A reference window in words. */
export function describeReference(r: MonitorReference, datasetName?: string): string {
  if (r.kind === 'first') return `first ${r.count} inspections`;
  if (r.kind === 'range') return `${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}`;
  return `validation split of ${datasetName ?? 'a dataset'}`;
}

/** A current window in words. */
export function describeCurrent(c: MonitorCurrent): string {
  return c.kind === 'count' ? `last ${c.count} inspections` : `last ${minutesText(c.minutes)}`;
}

/** A drift level as a number for a time series: none 0, possible 1, drift 2. */
export function levelValue(level: DriftLevel): number {
  return level === 'drift' ? 2 : level === 'possible' ? 1 : 0;
}

const STATUS_ORDER: Record<string, number> = { open: 0, acknowledged: 1, resolved: 2 };

/** Alerts for action: open first, then acknowledged, then resolved; newest first within each. */
export function sortAlerts<T extends { status: string; firedAt: string }>(alerts: readonly T[]): T[] {
  return [...alerts].sort((a, b) => (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3) || b.firedAt.localeCompare(a.firedAt));
}
