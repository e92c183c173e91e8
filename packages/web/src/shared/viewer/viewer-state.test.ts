import { describe, expect, it } from 'vitest';
import { createViewerStore, DEFAULT_SETTINGS, requestHeatmap, viewerStore, withLayer } from './viewer-state.ts';

describe('viewer settings store', () => {
  it('notifies listeners only when the settings change', () => {
    const store = createViewerStore();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.set((s) => s);
    expect(calls).toBe(0);
    store.set((s) => ({ ...s, brightness: 1.5 }));
    expect(calls).toBe(1);
    expect(store.get().brightness).toBe(1.5);
    off();
    store.set((s) => ({ ...s, brightness: 1 }));
    expect(calls).toBe(1);
  });

  it('changes one layer and leaves the others', () => {
    const s = withLayer(DEFAULT_SETTINGS, 'heatmap', { visible: true, colormap: 'viridis' });
    expect(s.layers.heatmap).toEqual({ visible: true, opacity: 0.5, colormap: 'viridis' });
    expect(s.layers.boxes).toBe(DEFAULT_SETTINGS.layers.boxes);
    expect(DEFAULT_SETTINGS.layers.heatmap.visible).toBe(false);
  });

  it('keeps one store per viewer key, so settings outlive the component', () => {
    const a = viewerStore('test-a');
    a.set((s) => ({ ...s, view: { zoom: 3, center: { x: 0.2, y: 0.4 } } }));
    expect(viewerStore('test-a').get().view.zoom).toBe(3);
    expect(viewerStore('test-b').get().view.zoom).toBe(1);
    requestHeatmap('test-a', 'e1');
    expect(viewerStore('test-a').get().pendingHeatmapId).toBe('e1');
  });
});
