using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Templates of other repositories: the rules for naming one, and loading those a folder's
/// workflows call. A template from elsewhere must stand alone: it may not call templates or
/// workflows, run analyses or rollouts, since those are found in a folder, and the folder it
/// would mean is not the caller's.
/// </summary>
public static partial class RemoteTemplates
{
    /// <summary>Task types that read the folder they are written in.</summary>
    static readonly HashSet<string> FolderBound = new(StringComparer.Ordinal) { "workflow", WorkflowKind.TemplateTaskType, "analysis", "rollout" };

    public static bool IsCommit(string revision) => CommitPattern().IsMatch(revision);

    /// <summary>Why a repository cannot be named in a workflow, or null. Credentials belong in the server's configuration, never in Git.</summary>
    public static string? RepositoryProblem(string repository) =>
        repository.Length > 2048 || repository.Any(char.IsControl) || repository.Any(char.IsWhiteSpace)
            ? "templateRef.repo must be a repository URL or path, without spaces or control characters"
            : UserInfo().IsMatch(repository)
                ? "templateRef.repo must not hold credentials (user:password@); a repository's credentials belong in the server's configuration"
                : !RemoteUrl().IsMatch(repository)
                    ? "templateRef.repo must be a remote repository (https://, http://, ssh://, git:// or git@host:path): a workflow may not read repositories on the server's own disk"
                    : null;

    /// <summary>
    /// Reads each repository, commit and folder the documents' calls name, once, and returns their
    /// templates under their keys; a problem is reported at the call.
    /// </summary>
    public static Dictionary<string, WorkflowDocument> Load(
        IEnumerable<WorkflowDocument> callers, IRemoteTemplates remote, ITaskTypeCatalog taskTypes, LoadLimits? limits, Kinds.KindRegistry? kinds, List<Diagnostic> diagnostics)
    {
        var found = new Dictionary<string, WorkflowDocument>(StringComparer.Ordinal);
        var folders = new Dictionary<(string, string, string), Folder>();
        foreach (WorkflowDocument caller in callers)
        {
            foreach (TaskSpec task in caller.Definition.AllSteps().Where(t => t.TemplateSource is not null))
            {
                RemoteTemplateRef source = task.TemplateSource!;
                var folderKey = (source.Repository, source.Revision, source.Folder);
                if (!folders.TryGetValue(folderKey, out var folder))
                {
                    folders[folderKey] = folder = Read(source, remote, taskTypes, limits, kinds);
                }

                SourcePosition at = caller.Map.Of(task.Name, "templateRef");
                if (folder.Error is not null)
                {
                    diagnostics.Add(new(caller.Map.File, at, $"templates of {source.Source} cannot be read: {folder.Error}"));
                }
                else if (folder.Broken.TryGetValue(source.Name, out string? problem))
                {
                    diagnostics.Add(new(caller.Map.File, at, $"WorkflowTemplate '{source.Name}' of {source.Source} does not load: {problem}"));
                }
                else if (!folder.Templates.TryGetValue(source.Name, out WorkflowDocument? template))
                {
                    diagnostics.Add(new(caller.Map.File, at, $"WorkflowTemplate '{source.Name}' is not defined in {source.Source}"));
                }
                else if (template.Definition.AllSteps().FirstOrDefault(t => FolderBound.Contains(t.Uses)) is TaskSpec bound)
                {
                    diagnostics.Add(new(caller.Map.File, at, $"WorkflowTemplate '{source.Name}' of {source.Source} runs '{bound.Uses}' in step '{bound.Name}': a template from another repository must stand alone, without templates, workflows, analyses or rollouts of its folder"));
                }
                else
                {
                    found.TryAdd(source.Key, template with { Definition = template.Definition with { Name = source.Key } });
                }
            }
        }

        return found;
    }

    sealed record Folder(Dictionary<string, WorkflowDocument> Templates, Dictionary<string, string> Broken, string? Error);

    static Folder Read(RemoteTemplateRef source, IRemoteTemplates remote, ITaskTypeCatalog taskTypes, LoadLimits? limits, Kinds.KindRegistry? kinds)
    {
        var templates = new Dictionary<string, WorkflowDocument>(StringComparer.Ordinal);
        var broken = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<SourceFile> files;
        try
        {
            files = remote.Read(source.Repository, source.Revision, source.Folder);
        }
        catch (RemoteTemplatesException e)
        {
            return new(templates, broken, e.Message);
        }

        foreach (SourceFile file in files)
        {
            LoadResult result = DocumentLoader.Load(file.Path, file.Content, taskTypes, limits, kinds);
            foreach (WorkflowDocument template in result.WorkflowTemplates)
            {
                // A template whose own file has problems is not run: the first problem says why.
                if (result.Diagnostics.Count > 0)
                {
                    broken.TryAdd(template.Definition.Name, result.Diagnostics[0].ToString());
                }
                else
                {
                    templates.TryAdd(template.Definition.Name, template);
                }
            }
        }

        return new(templates, broken, null);
    }

    [GeneratedRegex("^(?:(?i:https?|ssh|git)://[^/]+/.+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+)\\z")]
    private static partial Regex RemoteUrl();

    [GeneratedRegex("^[0-9a-f]{40}\\z")]
    private static partial Regex CommitPattern();

    /// <summary>Any user in an http(s) URL (tokens travel as users), or a user with a password in any other.</summary>
    [GeneratedRegex("^(?:(?i:https?)://[^/@]*@|[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:[^/@]*@)")]
    private static partial Regex UserInfo();
}
