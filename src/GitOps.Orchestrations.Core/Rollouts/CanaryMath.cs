namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>How many pods each side runs for a weight, as Argo Rollouts counts them.</summary>
public static class CanaryMath
{
    /// <summary>
    /// Without a mesh the weight is a share of pods: the canary gets <c>ceil(total × weight / 100)</c>,
    /// the stable the rest, so any weight above 0 runs at least one canary pod.
    /// </summary>
    public static (int Canary, int Stable) ReplicaSplit(int total, int weight)
    {
        int canary = CeilShare(total, weight);
        return (canary, Math.Max(total - canary, 0));
    }

    /// <summary>
    /// With a mesh the stable keeps every pod and the router moves traffic; the canary runs enough
    /// pods for its share, or what setCanaryScale asked for.
    /// </summary>
    public static int MeshCanaryReplicas(int total, int weight, CanaryScale? scale) => scale switch
    {
        { Replicas: int replicas } => replicas,
        { Weight: int share } => CeilShare(total, share),
        _ => CeilShare(total, weight),
    };

    /// <summary>The canary's share of pods, in whole percent, as the replicas router reads it back.</summary>
    public static int EffectiveWeight(int canary, int stable) =>
        canary + stable == 0 ? 0 : (int)Math.Round(100.0 * canary / (canary + stable));

    static int CeilShare(int total, int weight) => weight <= 0 ? 0 : (int)Math.Ceiling(total * weight / 100.0);
}
