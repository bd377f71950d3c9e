namespace GitOps.Orchestrations.Kubernetes;

/// <summary>How the server reaches one cluster: a kubeconfig file (and a context in it), or the pod's own service account.</summary>
public sealed record ClusterSpec
{
    public string? Kubeconfig { get; init; }

    public string? Context { get; init; }

    public bool InCluster { get; init; }
}

/// <summary>
/// The clusters a host may apply to, by name, from its own configuration. A workflow names one
/// (<c>cluster: prod</c>); an unknown name is an error that lists the known ones, never a fallback.
/// </summary>
public sealed class ClusterRegistry(IReadOnlyDictionary<string, ClusterSpec> clusters)
{
    public const string DefaultName = "default";

    public static readonly ClusterRegistry Empty = new(new Dictionary<string, ClusterSpec>());

    public IReadOnlyDictionary<string, ClusterSpec> Clusters => clusters;

    /// <summary>
    /// For a person running workflows on their own machine: <c>default</c> is their kubeconfig
    /// (<c>$KUBECONFIG</c> or <c>~/.kube/config</c>), as kubectl would use it.
    /// </summary>
    public static ClusterRegistry ForLocalUser(IReadOnlyDictionary<string, ClusterSpec>? named = null)
    {
        var all = new Dictionary<string, ClusterSpec>(named ?? new Dictionary<string, ClusterSpec>(), StringComparer.Ordinal);
        string? kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator).FirstOrDefault(p => p.Length > 0)
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        if (!all.ContainsKey(DefaultName) && File.Exists(kubeconfig))
        {
            all[DefaultName] = new ClusterSpec { Kubeconfig = kubeconfig };
        }

        return new ClusterRegistry(all);
    }

    /// <summary>The cluster a target names, or why there is none.</summary>
    public ClusterSpec Resolve(string? name) =>
        clusters.TryGetValue(name ?? DefaultName, out ClusterSpec? spec)
            ? spec
            : throw new ClusterNotConfiguredException(name is null
                ? $"the target names no cluster and this host has no cluster named '{DefaultName}' (configured: {Known()})"
                : $"no cluster '{name}' is configured on this host (configured: {Known()})");

    public ClusterClient Connect(string? name) => ClusterClient.Connect(Resolve(name));

    string Known() => clusters.Count == 0 ? "none" : string.Join(", ", clusters.Keys.Order(StringComparer.Ordinal));
}

/// <summary>A target names a cluster the host does not know; retrying cannot help.</summary>
public sealed class ClusterNotConfiguredException(string message) : InvalidOperationException(message);
