// The --opt choices: the optimizers by torch.optim's names, and `momentum`,
// the course's name for SGD with momentum 0.9. Below both config.ts and
// optimizer-fields.ts (a field's default may depend on the choice).

export const OPTIMIZER_CHOICES = ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam"] as const;
export type OptimizerChoice = (typeof OPTIMIZER_CHOICES)[number];

/** Whether `choice` is one of the --opt choices. */
export function isOptimizerChoice(choice: string): choice is OptimizerChoice {
  return (OPTIMIZER_CHOICES as readonly string[]).includes(choice);
}
