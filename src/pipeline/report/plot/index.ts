// SVG figures for run results: pure functions data -> SVG string.
//
// Each function validates its rows, builds a Vega-Lite spec, compiles it to
// Vega and renders it headless (`renderer: 'none'` + `toSVG()`: no canvas, no
// browser, no network; all data is inline). The output depends only on the
// input: category orders follow first appearance in the input (never an
// alphabetical sort, which would put "1024→2048" before "64→128"), and no
// timestamps are written. Geometry coordinates are rounded to 1/100 pixel so
// the files stay small and free of float noise such as 93.00000000000001.
//
// Input rules shared by every function: at least one row; every numeric field
// finite (a NaN or a log10 of zero, -Infinity, is refused with an error naming
// the row, field and value, never silently dropped or plotted); category
// strings non-empty; no duplicate keys where a duplicate would stack or zigzag.
//
// Units: D_se and d_layers are symmetric KL divergences with log2 (bits, see
// SPEC section 4); CSD(e) is a difference of probability densities over the
// eigenvalue e (per unit of e); cumulative CSD is a probability.

export { PlotInputError, type PlotOptions, type EigenphasePlotOptions, type BarChartOptions } from './checks.js';
export { eigenphasePlot } from './ergodicity.js';
export { depthCurves, dseLines, csdCurves, barChart } from './networks.js';
export { densityPanels, histogramBins, binsFor, type Bin, type DensityPanel, type DensityOptions } from './density.js';
export { linePanel, type LineRow, type LinePanelOptions } from './lines.js';
export { spacingPanels, type SpacingPanel } from './validate.js';
