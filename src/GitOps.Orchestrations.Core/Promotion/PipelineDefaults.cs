namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>What a Pipeline means when it does not say, in one place.</summary>
public static class PipelineDefaults
{
    /// <summary>Which tags of a gitTags source are freight: every tag.</summary>
    public const string TagPattern = "*";

    /// <summary>A stage waits for a person to promote unless it says autoPromote.</summary>
    public const bool AutoPromote = false;

    /// <summary>How long freight must stay healthy in a stage before it counts as verified there.</summary>
    public static readonly TimeSpan RequiredSoakTime = TimeSpan.Zero;

    /// <summary>Whether verification waits for the stage's workloads to be healthy.</summary>
    public const bool VerifyHealth = false;
}
