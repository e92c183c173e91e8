/**
 * The viewer's settings, kept outside the image: the view (zoom and pan), brightness and
 * contrast, and each layer's visibility, opacity and colormap. One small store per viewer
 * key (the Inspect page and the inspection page each have one), alive for the whole app
 * session, so zoom, pan and layers stay put when switching images or pages.
 */
import { useCallback, useSyncExternalStore } from 'react';
import type { Colormap } from './colormaps.ts';
import { FIT_VIEW } from './viewer-geometry.ts';
import type { View } from './viewer-geometry.ts';

/** The viewer's layers. */
export const LAYER_IDS = ['boxes', 'masks', 'heatmap', 'anomaly'] as const;
/** A layer. */
export type LayerId = (typeof LAYER_IDS)[number];

/** A layer's display settings. `colormap: 'stored'` shows the server's own rendering (heatmaps only). */
export interface LayerSetting {
  visible: boolean;
  opacity: number;
  colormap: Colormap | 'stored';
}

/** Everything the viewer keeps between images. */
export interface ViewerSettings {
  view: View;
  /** CSS brightness of the image (1 = as is). */
  brightness: number;
  /** CSS contrast of the image (1 = as is). */
  contrast: number;
  layers: Record<LayerId, LayerSetting>;
  /** The explanation method whose heatmap the heatmap layer shows (`aggregate` for the consensus map); null = the newest. */
  heatmapMethod: string | null;
  /** An explanation id someone asked to show (the explanation panel's "show on image"), until the viewer finds it. */
  pendingHeatmapId: string | null;
}

/** The settings a new viewer starts with. */
export const DEFAULT_SETTINGS: Readonly<ViewerSettings> = Object.freeze<ViewerSettings>({
  view: FIT_VIEW,
  brightness: 1,
  contrast: 1,
  layers: {
    boxes: { visible: true, opacity: 1, colormap: 'stored' },
    masks: { visible: true, opacity: 0.45, colormap: 'stored' },
    heatmap: { visible: false, opacity: 0.5, colormap: 'stored' },
    anomaly: { visible: true, opacity: 0.5, colormap: 'jet' },
  },
  heatmapMethod: null,
  pendingHeatmapId: null,
});

/** A store of one viewer's settings. */
export interface ViewerStore {
  get(): ViewerSettings;
  /** Replaces the settings with `update(current)`; listeners run only when something changed. */
  set(update: (s: ViewerSettings) => ViewerSettings): void;
  subscribe(listener: () => void): () => void;
}

/** A new store. */
export function createViewerStore(initial: ViewerSettings = DEFAULT_SETTINGS): ViewerStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(update) {
      const next = update(state);
      if (next === state) return;
      state = next;
      for (const l of [...listeners]) l();
    },
    subscribe(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  };
}

const stores = new Map<string, ViewerStore>();

/** The store of viewer `key` (created on first use). */
export function viewerStore(key: string): ViewerStore {
  let s = stores.get(key);
  if (!s) stores.set(key, (s = createViewerStore()));
  return s;
}

/** `s` with layer `id` changed by `patch`. */
export function withLayer(s: ViewerSettings, id: LayerId, patch: Partial<LayerSetting>): ViewerSettings {
  return { ...s, layers: { ...s.layers, [id]: { ...s.layers[id], ...patch } } };
}

/**
 * Asks viewer `key` to show the heatmap of explanation `explanationId` (an explanation or
 * an aggregate id): the viewer turns the heatmap layer on with that method once its list of
 * explanations holds the id.
 */
export function requestHeatmap(key: string, explanationId: string): void {
  viewerStore(key).set((s) => ({ ...s, pendingHeatmapId: explanationId }));
}

/** React hook: viewer `key`'s settings and a setter. */
export function useViewerSettings(key: string): [ViewerSettings, (update: (s: ViewerSettings) => ViewerSettings) => void] {
  const store = viewerStore(key);
  const settings = useSyncExternalStore(store.subscribe, store.get, store.get);
  const set = useCallback((u: (s: ViewerSettings) => ViewerSettings) => store.set(u), [store]);
  return [settings, set];
}
