using System.Security.Cryptography;
using System.Text;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>
/// <c>templateRef: {name, repo, revision, folder}</c>: a WorkflowTemplate of another repository,
/// pinned to a commit. A run snapshots it like a template of its own folder, under <see cref="Key"/>.
/// </summary>
public sealed record RemoteTemplateRef(string Name, string Repository, string Revision, string Folder)
{
    public const string DefaultFolder = "workflows";

    /// <summary>
    /// The name a run's snapshot holds the template under: its own name and a digest of where it
    /// comes from, so it never meets a template of the caller's folder, or of the same name elsewhere.
    /// </summary>
    public string Key => $"{Name}@{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Repository}\n{Revision}\n{Folder}")))[..12]}";

    /// <summary>Where the templates come from, as messages name it (the repository as written, which validation keeps free of credentials).</summary>
    public string Source => $"{Repository}@{Revision[..12]}:{Folder}";
}

/// <summary>Reads the files of a folder of another repository at a commit, for its WorkflowTemplates.</summary>
public interface IRemoteTemplates
{
    /// <summary>The YAML files of <paramref name="folder"/> at <paramref name="revision"/>; throws <see cref="RemoteTemplatesException"/> when they cannot be read.</summary>
    IReadOnlyList<Loading.SourceFile> Read(string repository, string revision, string folder);
}

/// <summary>Why templates could not be read from another repository, in words free of credentials.</summary>
public sealed class RemoteTemplatesException(string message) : Exception(message);
