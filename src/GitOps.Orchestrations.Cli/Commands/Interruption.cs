using System.Runtime.InteropServices;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// Ctrl+C and SIGTERM as a cancellation a long-running command handles itself, so it can say what
/// becomes of its work before it exits (the runtime's default for SIGTERM ends the process on the
/// spot, mid-sentence, with 143).
/// </summary>
internal sealed class Interruption : IDisposable
{
    readonly CancellationTokenSource source;
    readonly PosixSignalRegistration[] registrations;

    Interruption(CancellationToken outer)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => source.Token;

    public bool Requested => source.IsCancellationRequested;

    public static Interruption Listen(CancellationToken outer) => new(outer);

    void Handle(PosixSignalContext context)
    {
        // A second signal gets the default: a person pressing Ctrl+C twice means now.
        if (!source.IsCancellationRequested)
        {
            context.Cancel = true;
            source.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in registrations)
        {
            registration.Dispose();
        }

        source.Dispose();
    }
}
