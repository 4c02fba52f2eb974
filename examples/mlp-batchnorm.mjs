// The MLP over character embeddings with BatchNorm1d before the tanh (makemore part 3): see examples/mlp.mjs.
// Run after `npm run build`: node examples/mlp-batchnorm.mjs  (CHAINRULE_EXAMPLE_TINY=1 for a short run)
import { run } from "./mlp.mjs";

run(true);
