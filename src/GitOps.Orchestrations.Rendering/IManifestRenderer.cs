using GitOps.Orchestrations.Core.Delivery;

namespace GitOps.Orchestrations.Rendering;

/// <summary>One source folder, already copied into a private working folder, to render.</summary>
/// <param name="Folder">The folder to render, inside <paramref name="WorkRoot"/>.</param>
/// <param name="WorkRoot">A temp folder owned by this render alone; the tool may write only here.</param>
/// <param name="Label">How errors name the source, e.g. <c>repo@sha:apps/api</c>.</param>
public sealed record RenderInput(string Folder, string WorkRoot, string Label, RenderSpec Spec, TimeSpan Timeout);

/// <summary>YAML text as the tool produced it, each piece labelled for error messages.</summary>
public sealed record RenderedText(string Label, string Yaml);

/// <summary>One render type (<c>plain</c>, <c>kustomize</c>, <c>helm</c>). Overrides and normalization happen after, the same for all.</summary>
public interface IManifestRenderer
{
    string Type { get; }

    /// <summary>
    /// Whether rendering runs an external tool. Only then is the source copied into a private folder
    /// first; the plain renderer only reads files, so it reads the commit's export directly.
    /// </summary>
    bool ExecutesTool { get; }

    /// <summary>Part of the render cache key, so that upgrading the tool renders afresh.</summary>
    Task<string> ToolVersionAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<RenderedText>> RenderAsync(RenderInput input, CancellationToken cancellationToken);
}
