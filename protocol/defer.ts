// Running a callback once the current task's synchronous work is done, as queueMicrotask does,
// for the per-call paths. Node's queueMicrotask wraps every callback in an AsyncResource (an
// async id, a bound function, enter/leave of its async scope); a reaction on an already resolved
// promise is V8's own microtask and costs none of that. Both ends batch a tick's messages into
// one frame this way on every call, so the difference is paid per call.
//
// A callback that throws surfaces as an unhandled rejection, which Node treats as it treats an
// uncaught exception: callers keep their callbacks from throwing, as they must for queueMicrotask.

const resolved = Promise.resolve()

export function defer(callback: () => void): void {
  void resolved.then(callback)
}
