// What a run reports after each epoch (JSON lines, observers, checkpoints).
// Its own file, importing nothing: checkpoints and the live view below the
// session need the shape without the session.

export interface EpochEvent {
  event: "epoch";
  epoch: number;
  loss: number;
  /** ce/bce: the epoch's model's accuracy on the training rows. */
  accuracy?: number;
  /** With validation data: the epoch's model's mean loss and accuracy (ce/bce) on it. */
  val_loss?: number;
  val_accuracy?: number;
  lr: number;
  /** Per layer: the mean over the epoch's batches of the gradient's L2 norm. */
  grad_norms: number[];
  steps: number;
  seconds: number;
}
