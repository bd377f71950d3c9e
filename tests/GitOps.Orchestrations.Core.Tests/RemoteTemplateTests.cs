using System.Text;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>
/// <c>templateRef</c> to another repository at a pinned commit: its form, and what the catalog
/// does with the folder it reads. The folder here is handed over in memory, as the Git reader
/// hands it over after a fetch; the fetch itself is tested against real Git servers (Cli tests).
/// </summary>
public sealed class RemoteTemplateTests
{
    const string Sha = "0123456789abcdef0123456789abcdef01234567";

    const string Probe = """
        apiVersion: gitops.orchestrations/v1
        kind: WorkflowTemplate
        metadata: {name: probe}
        spec:
          inputs: [{name: url}, {name: path, default: /healthz}]
          task: {uses: log, with: {message: "{{params.url}}{{params.path}}"}}
        """;

    /// <summary>One repository's folders at one commit, as a fetch would read them.</summary>
    sealed class Folders(Dictionary<string, (string Path, string Yaml)[]> byRepository) : IRemoteTemplates
    {
        public List<(string, string, string)> Reads { get; } = [];

        public IReadOnlyList<SourceFile> Read(string repository, string revision, string folder)
        {
            Reads.Add((repository, revision, folder));
            return byRepository.TryGetValue(repository, out var files)
                ? files.Select(f => new SourceFile(f.Path, Encoding.UTF8.GetBytes(f.Yaml))).ToList()
                : throw new RemoteTemplatesException($"repository not found");
        }
    }

    static WorkflowCatalog Catalog(string tasks, IRemoteTemplates? remote) => WorkflowCatalog.Load(
        [new SourceFile("ci.yaml", Encoding.UTF8.GetBytes("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: ci}\nspec:\n  tasks:\n" + tasks))],
        TaskTypeRegistry.BuiltIn(), remote: remote);

    static string Call(string with, string repo = "https://git.example.com/platform/templates.git", string revision = Sha) =>
        $"    - {{name: check, templateRef: {{name: probe, repo: \"{repo}\", revision: \"{revision}\"}}, with: {with}}}\n";

    [Theory]
    [InlineData("https://git.example.com/t.git", "main", "ci.yaml:6:97: error: templateRef.revision must be a full commit SHA (40 hex digits), not 'main': a branch or tag can move, and runs are pinned to commits")]
    [InlineData("https://user:token@git.example.com/t.git", Sha, "ci.yaml:6:54: error: templateRef.repo must not hold credentials (user:password@); a repository's credentials belong in the server's configuration")]
    [InlineData("/srv/repos/t.git", Sha, "ci.yaml:6:54: error: templateRef.repo must be a remote repository (https://, http://, ssh://, git:// or git@host:path): a workflow may not read repositories on the server's own disk")]
    public void A_template_of_another_repository_is_named_by_a_remote_url_and_a_full_commit(string repo, string revision, string error)
    {
        WorkflowCatalog catalog = Catalog(Call("{url: x}", repo, revision), remote: null);
        Assert.Equal([error], catalog.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Offline_the_form_is_checked_and_with_the_folder_the_call_is_checked_against_its_inputs()
    {
        Assert.Empty(Catalog(Call("{urll: x}"), remote: null).Diagnostics);

        var folders = new Folders(new() { ["https://git.example.com/platform/templates.git"] = [("workflows/probe.yaml", Probe)] });
        WorkflowCatalog checkedCatalog = Catalog(Call("{urll: x}"), folders);
        Assert.Contains(checkedCatalog.Diagnostics, d => d.Message.Contains("has no input 'urll'", StringComparison.Ordinal));
        Assert.Equal([("https://git.example.com/platform/templates.git", Sha, "workflows")], folders.Reads);

        WorkflowCatalog good = Catalog(Call("{url: https://shop.example.com}") + Call("{url: y}").Replace("name: check", "name: again", StringComparison.Ordinal), folders);
        Assert.Empty(good.Diagnostics);
        var key = new RemoteTemplateRef("probe", "https://git.example.com/platform/templates.git", Sha, "workflows").Key;
        IReadOnlyDictionary<string, WorkflowDefinition> snapshot = good.TemplatesFor(good.Find("ci")!.Definition);
        Assert.Equal([key], snapshot.Keys);
        Assert.Equal(key, snapshot[key].Name);
        Assert.StartsWith("probe@", key, StringComparison.Ordinal);
        // The folder is read once per load, however many calls name it.
        Assert.Equal(2, folders.Reads.Count);
    }

    [Fact]
    public void A_missing_folder_template_or_one_that_needs_its_own_folder_is_reported_at_the_call()
    {
        var folders = new Folders(new()
        {
            ["https://git.example.com/other.git"] = [("workflows/probe.yaml", Probe.Replace("name: probe", "name: other", StringComparison.Ordinal))],
            ["https://git.example.com/bound.git"] = [("workflows/probe.yaml", """
                apiVersion: gitops.orchestrations/v1
                kind: WorkflowTemplate
                metadata: {name: probe}
                spec:
                  inputs: [{name: url}]
                  task: {uses: workflow, with: {name: elsewhere}}
                """)],
        });
        Assert.Equal(
            [$"ci.yaml:6:41: error: templates of https://git.example.com/gone.git@{Sha[..12]}:workflows cannot be read: repository not found"],
            Catalog(Call("{url: x}", "https://git.example.com/gone.git"), folders).Diagnostics.Select(d => d.ToString()));
        Assert.Equal(
            [$"ci.yaml:6:41: error: WorkflowTemplate 'probe' is not defined in https://git.example.com/other.git@{Sha[..12]}:workflows"],
            Catalog(Call("{url: x}", "https://git.example.com/other.git"), folders).Diagnostics.Select(d => d.ToString()));
        Assert.Contains("must stand alone", Assert.Single(Catalog(Call("{url: x}", "https://git.example.com/bound.git"), folders).Diagnostics).Message, StringComparison.Ordinal);
    }
}
