using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Rendering;

/// <summary>
/// Source → manifests: export the pinned commit, copy it into a private temp folder, run the
/// renderer there, then apply overrides and normalize. Results are cached per commit and settings.
/// </summary>
public sealed class RenderService(IGitSources git, TimeSpan? toolTimeout = null)
{
    public static readonly TimeSpan DefaultToolTimeout = TimeSpan.FromMinutes(2);

    readonly RenderCache cache = new(Path.Combine(git.CacheDirectory, "renders"));
    long renders;

    /// <summary>Renders that ran a renderer, as opposed to cache hits.</summary>
    public long Renders => Interlocked.Read(ref renders);

    public async Task<ManifestSet> RenderAsync(SourceSpec source, string sha, RenderSpec spec, CancellationToken cancellationToken = default)
    {
        GitCheckout.CheckRelative(source.Path);
        IManifestRenderer renderer = RendererFactory.Create(spec.Type);
        string key = RenderCache.Key(source.Repo, sha, source.Path, spec, await renderer.ToolVersionAsync(cancellationToken));
        if (cache.TryLoad(key) is ManifestSet cached)
        {
            return cached;
        }

        string label = $"{GitRemote.Redact(source.Repo)}@{sha[..Math.Min(12, sha.Length)]}:{source.Path.Trim('/')}";
        ManifestSet rendered;
        if (!renderer.ExecutesTool)
        {
            // Plain YAML runs nothing, so it is read from Git's object store, without an export to disk.
            Interlocked.Increment(ref renders);
            var files = await git.ReadTreeAsync(source, sha, source.Path, PlainRenderer.IsManifest, cancellationToken);
            rendered = Build(PlainRenderer.Select(files.Select(f => (f.Relative, (Func<string>)(() => f.Text))), spec, label), spec);
        }
        else
        {
            rendered = await RenderFolderAsync(await git.ExportAsync(source, sha, cancellationToken), source.Path, label, spec, cancellationToken: cancellationToken);
        }

        cache.Store(key, rendered);
        return rendered;
    }

    /// <summary>
    /// Renders <paramref name="relativePath"/> under <paramref name="root"/>. By default the whole root
    /// is copied first, so the tool sees a private tree and kustomize's <c>../base</c> works; the CLI
    /// renders a person's own working tree in place, as <c>kustomize build</c> would.
    /// </summary>
    public async Task<ManifestSet> RenderFolderAsync(string root, string relativePath, string label, RenderSpec spec, bool inPlace = false, CancellationToken cancellationToken = default)
    {
        GitCheckout.CheckRelative(relativePath);
        IManifestRenderer renderer = RendererFactory.Create(spec.Type);
        Interlocked.Increment(ref renders);
        string work = Directory.CreateTempSubdirectory("gitops-render-").FullName;
        try
        {
            string tree = root;
            if (!inPlace && renderer.ExecutesTool)
            {
                tree = Path.Combine(work, "src");
                CopyTree(root, tree);
            }

            string folder = GitCheckout.Inside(tree, relativePath);
            IReadOnlyList<RenderedText> texts = await renderer.RenderAsync(new RenderInput(folder, work, label, spec, toolTimeout ?? DefaultToolTimeout), cancellationToken);
            return Build(texts, spec);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Parses what a renderer produced, then validates, overrides and normalizes it.</summary>
    static ManifestSet Build(IReadOnlyList<RenderedText> texts, RenderSpec spec)
    {
        var diagnostics = new List<Diagnostic>();
        var manifests = new List<Manifest>();
        foreach (RenderedText text in texts)
        {
            manifests.AddRange(ManifestReader.Read(text.Label, text.Yaml, diagnostics));
        }

        var overrides = new ManifestOverrides { Images = spec.Images.Select(ImageOverride.Parse).ToList(), Namespace = spec.Namespace };
        return diagnostics.Count > 0
            ? throw new ManifestException(diagnostics.Select(d => d.ToString()).ToList())
            : ManifestSet.Build(manifests, overrides);
    }

    static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            if (!IsLinkOrInGit(from, directory))
            {
                Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
            }
        }

        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            // Links are not followed: one could point anywhere on the machine.
            if (!IsLinkOrInGit(from, file) && new FileInfo(file).LinkTarget is null && Directory.Exists(Path.GetDirectoryName(Path.Combine(to, Path.GetRelativePath(from, file)))))
            {
                File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
            }
        }
    }

    static bool IsLinkOrInGit(string root, string path)
    {
        string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        if (relative == ".git" || relative.StartsWith(".git/", StringComparison.Ordinal))
        {
            return true;
        }

        for (DirectoryInfo? d = new FileInfo(path).Directory; d is not null && d.FullName.Length > root.Length; d = d.Parent)
        {
            if (d.LinkTarget is not null)
            {
                return true;
            }
        }

        return Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is not null;
    }
}
