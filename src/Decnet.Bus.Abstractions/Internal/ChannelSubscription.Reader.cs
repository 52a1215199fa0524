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
        // _parked: not waiting, waiting, or waiting with _cancellation stored. Whoever ends a wait takes the state to
        // not waiting in one exchange, and only a wait it finds Registered has a registration it must take back; a
        // registration that comes too late for that is taken back by the consumer (Pending). Otherwise a wait ended
        // while its consumer was registering left the registration on a token that may live as long as the host.
        private const int _idle = 0;
        private const int _waiting = 1;
        private const int _registered = 2;

        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
        private CancellationTokenRegistration _cancellation;
        private BusEvent? _handed;
        private int _parked;

        public BusEvent Current { get; set; } = null!;

        /// <summary>True between <see cref="Park"/> and the completion of the wait.</summary>
        public bool IsParked => Volatile.Read(ref _parked) != _idle;

        public ValueTask<bool> MoveNextAsync() => owner.MoveNext(this, cancellationToken);

        /// <summary>Under the owner's lock: the next wait begins.</summary>
        public void Park()
        {
            _core.Reset();
            Volatile.Write(ref _parked, _waiting);
        }

        /// <summary>The pending wait, cancellable by <paramref name="token"/>.</summary>
        public ValueTask<bool> Pending(CancellationToken token)
        {
            if (token.CanBeCanceled)
            {
                _cancellation = token.UnsafeRegister(static (state, token) => ((Reader)state!).Cancel(token), this);
                if (Interlocked.CompareExchange(ref _parked, _registered, _waiting) != _waiting)
                {
                    // Ended before the registration was stored, so whoever ended it did not take it back.
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
            if (next is not null)
            {
                Current = next;
            }

            EndWait();
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

        /// <summary>
        /// Ends the enumeration; a read still waiting completes with the end of the stream, since nothing else will
        /// complete it once it is off the parked list (neither the subscription's disposal nor its token).
        /// </summary>
        public ValueTask DisposeAsync()
        {
            if (IsParked && owner.Unpark(this))
            {
                EndWait();

                // Never on the disposing thread: it may be anyone's.
                _core.RunContinuationsAsynchronously = true;
                _core.SetResult(false);
            }

            return ValueTask.CompletedTask;
        }

        /// <summary>
        /// By the one caller that took this reader off the parked list: the wait is over, and its registration, if the
        /// consumer stored one, is taken back. Called before the result is set, so the consumer cannot yet be storing
        /// the next wait's registration. A reader whose token cannot be cancelled never registers: it keeps the plain
        /// write.
        /// </summary>
        private void EndWait()
        {
            if (!cancellationToken.CanBeCanceled)
            {
                Volatile.Write(ref _parked, _idle);
            }
            else if (Interlocked.Exchange(ref _parked, _idle) == _registered)
            {
                _cancellation.Unregister();
            }
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
                EndWait();

                // Never on the cancelling thread: it may be anyone's.
                _core.RunContinuationsAsynchronously = true;
                _core.SetException(new OperationCanceledException(token));
            }
        }
    }
}
