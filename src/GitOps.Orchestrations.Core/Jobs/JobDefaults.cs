namespace GitOps.Orchestrations.Core.Jobs;

/// <summary>Every default of the <c>job</c> and <c>script</c> task types, in one place (docs/tasks.md lists them).</summary>
public static class JobDefaults
{
    /// <summary>A Job with no deadline of its own stops after an hour: a pod that can never be scheduled must not hold a run forever.</summary>
    public const int ActiveDeadlineSeconds = 3600;

    /// <summary>How long a finished Job and its pods stay for people to inspect before the cluster removes them.</summary>
    public const int TtlSecondsAfterFinished = 3600;

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How much of the end of the container's log is kept as <c>outputs.log</c>.</summary>
    public const int LogTailBytes = 16 * 1024;

    public const int MaxLogTailBytes = 256 * 1024;

    /// <summary>Stdout longer than this is not kept as <c>outputs.result</c>: outputs travel through history and status.</summary>
    public const int MaxResultBytes = 64 * 1024;

    /// <summary>
    /// A container's termination message, which carries a result written to a file, is cut by the
    /// kubelet at 4096 bytes (the Pod API's <c>terminationMessagePath</c>).
    /// </summary>
    public const int MaxFileResultBytes = 4096;

    /// <summary>The non-root user a pod runs as unless its securityContext says otherwise: the "nonroot" user of distroless images.</summary>
    public const long RunAsUser = 65532;

    /// <summary>How long past its deadline the engine waits for the cluster to fail a Job before it deletes the Job itself.</summary>
    public static readonly TimeSpan DeadlineGrace = TimeSpan.FromMinutes(1);

    /// <summary>The one container of a job's pod, whose log and exit code are the step's.</summary>
    public const string ContainerName = "main";

    public const int MaxSourceBytes = 256 * 1024;

    /// <summary>Where a <c>script</c> step's source is mounted.</summary>
    public const string ScriptDirectory = "/gitops/script";

    public const string ScriptFile = "source";
}
