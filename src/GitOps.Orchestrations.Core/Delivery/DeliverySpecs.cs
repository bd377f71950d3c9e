using System.Text.Json;

namespace GitOps.Orchestrations.Core.Delivery;

/// <summary>Where manifests come from: a repository (path, <c>file://</c>, <c>git://</c>, <c>http(s)</c>, <c>ssh</c>), a revision, a folder.</summary>
public sealed record SourceSpec
{
    public required string Repo { get; init; }

    /// <summary>A branch, tag or SHA; <c>HEAD</c> when absent. Resolved to a SHA once, and the step keeps that SHA on replay.</summary>
    public string? Revision { get; init; }

    public string Path { get; init; } = ".";

    public GitAuthSpec? Auth { get; init; }
}

/// <summary>
/// How to authenticate to a repository. Secrets are named, never written: a workflow file names the
/// environment variable that holds an HTTPS token, or the key file on the worker for SSH, so no
/// secret travels through history or status.
/// </summary>
public sealed record GitAuthSpec
{
    public string? Username { get; init; }

    /// <summary>Environment variable holding an HTTPS token or password.</summary>
    public string? TokenEnv { get; init; }

    /// <summary>Private key file for an <c>ssh://</c> remote; without it, the worker's own ssh setup applies.</summary>
    public string? SshKeyFile { get; init; }

    /// <summary>The only host keys an <c>ssh://</c> remote may present; an unknown or changed key fails the step.</summary>
    public string? KnownHostsFile { get; init; }
}

/// <summary>How to turn the source folder into manifests.</summary>
public sealed record RenderSpec
{
    /// <summary><c>plain</c>, <c>kustomize</c> or <c>helm</c>; anything else is an error.</summary>
    public string Type { get; init; } = "plain";

    /// <summary>Image overrides in the command-line form (<c>name=newName:tag</c>).</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>Helm values, merged over the chart's own.</summary>
    public JsonElement? Values { get; init; }

    public string? Namespace { get; init; }

    /// <summary>For <c>plain</c>: globs of files to read (all YAML and JSON files when empty) and to leave out.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>For <c>helm</c>: the release name; the chart's folder name when absent.</summary>
    public string? ReleaseName { get; init; }
}

/// <summary>
/// A Kubernetes cluster to apply to, named as the server's configuration names it. Credentials
/// are never a workflow's to choose: a kubeconfig path from a run would read any file the server
/// can, so workflows name a cluster and the operator says what it connects with.
/// </summary>
public sealed record KubernetesTargetSpec
{
    /// <summary>A cluster of the server's configuration; the one named <c>default</c> when absent.</summary>
    public string? Cluster { get; init; }

    /// <summary>Namespace for objects that name none, and home of the inventory.</summary>
    public string Namespace { get; init; } = "default";
}

/// <summary>An environment repository for the rendered-manifests pattern: Argo CD or Flux applies what lands there.</summary>
public sealed record GitTargetSpec
{
    public required string Repo { get; init; }

    public string Branch { get; init; } = "main";

    public string Path { get; init; } = ".";

    public GitAuthSpec? Auth { get; init; }
}

/// <summary>Exactly one of the two is set; validation says so otherwise.</summary>
public sealed record TargetSpec
{
    public KubernetesTargetSpec? Kubernetes { get; init; }

    public GitTargetSpec? Git { get; init; }
}

/// <summary>A part of live objects that the engine must not treat as drift, such as replicas an HPA owns.</summary>
public sealed record IgnoreDifference
{
    /// <summary>Matches every kind when absent.</summary>
    public string? Kind { get; init; }

    public string? Name { get; init; }

    public IReadOnlyList<string> JsonPointers { get; init; } = [];
}
