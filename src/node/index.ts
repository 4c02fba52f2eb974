/**
 * The Node.js side of chainrule: files, the built-in digits data set, and the terminal progress bar.
 * `import { loadDigits } from "chainrule/node"`. Importing it makes `fit` draw a live bar on a terminal.
 */
import { setProgressBarFactory } from "../train/fit.js";
import { progressBar } from "./progress.js";

setProgressBarFactory(() => progressBar());

export { progressBar };
export { loadDigits } from "./digits.js";
export { loadIdxDataset } from "./idx-files.js";
export { loadCsv } from "./csv-file.js";
export { writeFileAtomic, readFileBytes, makeDir } from "./fs.js";
export { saveCheckpoint, loadCheckpoint } from "./checkpoint-file.js";
export { saveOnnx, loadOnnx } from "./onnx-file.js";
export { loadNames, loadTextWords } from "./names.js";
