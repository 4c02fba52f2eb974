// The explanation of any module from its recorded graph lives with the other model explanations.
export { explainTrace } from "./model.js";
