using System.Threading.Tasks.Sources;

namespace Decnet.Bus.Internal;

internal sealed partial class ChannelSubscription
{
    /// <summary>
    /// One enumeration. It is its own awaitable (<see cref="IValueTaskSource{TResult}"/>), reset for every wait, so
    /// reading allocates nothing per event. A wait that an <see cref="ChannelSubscription.Inline"/> subscription's filler
    /// ends resumes on the filler's thread; one that another filler ends resumes on the bus's <see cref="ResumeThread"/>
    /// while it is free; every other continuation runs asynchronously, on the thread pool.
    /// </summary>
    private sealed class Reader(ChannelSubscription owner, CancellationToken cancellationToken) : IAsyncEnumerator<BusEvent>, IValueTaskSource<bool>
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
        private CancellationTokenRegistration _cancellation;
        private BusEvent? _handed;
        private int _parked;

        public BusEvent Current { get; set; } = null!;

        /// <summary>True between <see cref="Park"/> and the completion of the wait.</summary>
        public bool IsParked => Volatile.Read(ref _parked) != 0;

        public ValueTask<bool> MoveNextAsync() => owner.MoveNext(this, cancellationToken);

        /// <summary>Under the owner's lock: the next wait begins.</summary>
        public void Park()
        {
            _core.Reset();
            Volatile.Write(ref _parked, 1);
        }

        /// <summary>The pending wait, cancellable by <paramref name="token"/>.</summary>
        public ValueTask<bool> Pending(CancellationToken token)
        {
            if (token.CanBeCanceled)
            {
                _cancellation = token.UnsafeRegister(static (state, token) => ((Reader)state!).Cancel(token), this);
                if (!IsParked)
                {
                    // Completed before the registration existed: nothing left to cancel.
                    _cancellation.Unregister();
                }
            }

            return new ValueTask<bool>(this, _core.Version);
        }

        /// <summary>
        /// Ends the wait with <paramref name="next"/>, or with the end of the stream when null; with
        /// <paramref name="inline"/>, the consumer resumes on this thread (unless it awaited with a context of its own)
        /// and this returns once it waits again or awaits something else. Only the caller that took this reader off the
        /// parked list completes it, so the setting cannot race another completion.
        /// </summary>
        public void Complete(BusEvent? next, bool inline)
        {
            _cancellation.Unregister();
            if (next is not null)
            {
                Current = next;
            }

            Volatile.Write(ref _parked, 0);
            _core.RunContinuationsAsynchronously = !inline;
            _core.SetResult(next is not null);
        }

        /// <summary>
        /// <see cref="Complete"/> on <paramref name="thread"/>, where the consumer resumes, if it is free; false (nothing
        /// done) when it is busy.
        /// </summary>
        public bool TryCompleteOn(ResumeThread thread, BusEvent? next)
        {
            _handed = next;
            if (thread.TryRun(static state => ((Reader)state!).CompleteHanded(), this))
            {
                return true;
            }

            _handed = null;
            return false;
        }

        public bool GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);

        public ValueTask DisposeAsync()
        {
            if (IsParked && owner.Unpark(this))
            {
                _cancellation.Unregister();
                Volatile.Write(ref _parked, 0);
            }

            return ValueTask.CompletedTask;
        }

        private void CompleteHanded()
        {
            var next = _handed;
            _handed = null;
            Complete(next, inline: true);
        }

        private void Cancel(CancellationToken token)
        {
            if (owner.Unpark(this))
            {
                Volatile.Write(ref _parked, 0);

                // Never on the cancelling thread: it may be anyone's.
                _core.RunContinuationsAsynchronously = true;
                _core.SetException(new OperationCanceledException(token));
            }
        }
    }
}
