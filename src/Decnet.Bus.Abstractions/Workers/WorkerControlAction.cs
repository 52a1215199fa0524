namespace Decnet.Bus;

/// <summary>What an operator asks a worker to do on <c>system.{worker}.control</c>.</summary>
public enum WorkerControlAction
{
    /// <summary><c>stop</c>: stop doing work (the process keeps running and listening).</summary>
    Stop = 1,

    /// <summary><c>start</c>: resume work.</summary>
    Start = 2,
}
