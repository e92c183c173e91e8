/** The image viewer shared by the Inspect and inspection pages. */
export { ImageViewer } from './ImageViewer.tsx';
export type { ImageViewerProps } from './ImageViewer.tsx';
export { requestHeatmap, useViewerSettings, viewerStore } from './viewer-state.ts';
export type { LayerId, ViewerSettings } from './viewer-state.ts';
export { classColor, contrastRatio, textOn } from './raster.ts';
