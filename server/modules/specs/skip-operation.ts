// Thrown while building one tool when its operation cannot become a tool; the import goes on
// and lists the operation in its warnings with this reason.
export class SkipOperation extends Error {
  constructor(
    readonly reason: string,
    readonly pointer: string,
  ) {
    super(reason);
  }
}
