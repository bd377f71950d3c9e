namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>0 only when the run Succeeded; 1 when it did not; 2 when nothing could run at all.</summary>
internal static class ExitCodes
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>gitops analyze: the analysis neither passed nor failed (no data, too little traffic).</summary>
    public const int Inconclusive = 3;

    /// <summary>Interrupted by Ctrl+C or SIGTERM, as shells number a SIGINT exit.</summary>
    public const int Interrupted = 130;
}
