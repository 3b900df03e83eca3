export {
  AnswersSchema,
  OrganisationAnswerSchema,
  SourceAnswerSchema,
  CONSENT_MODELS,
  CONSENT_MODEL_KINDS,
  TOPOLOGIES,
  STORAGES,
  parseAnswers,
  packagesOf,
  slugOf,
} from './answers/answers.js';
export type { Answers, AnswersInput, AnswerIssue, OrganisationAnswer, ConsentModelKind, TopologyKind, StorageKind } from './answers/answers.js';
export { parseOrganisationsCsv, formatCsvIssue, kindOf } from './answers/organisations-csv.js';
export type { CsvIssue, CsvResult } from './answers/organisations-csv.js';
export { askAnswers, inquirerPrompter } from './answers/prompts.js';
export type { Prompter, Choice, AskOptions } from './answers/prompts.js';
export { PACKAGES, PACKAGE_IDS, OPTIONAL_PACKAGES, REQUIRED_PACKAGES, TSX_RANGE } from './project/packages.js';
export type { PackageId } from './project/packages.js';
export { buildDraftIsa, renderDraftIsa } from './project/isa.js';
export type { IsaDraft, IsaTodo } from './project/isa.js';
export { localityInputOf, demoUsers, channelsOf, checkLocality, GeneratedConfigError } from './project/locality.js';
export { buildProject } from './project/files.js';
export type { Project } from './project/files.js';
export { scaffold, AnswersError, TargetNotEmptyError, PackagesFromError } from './project/write.js';
export type { ScaffoldOptions, Scaffolded } from './project/write.js';
export { run } from './cli/run.js';
export type { RunIo } from './cli/run.js';
