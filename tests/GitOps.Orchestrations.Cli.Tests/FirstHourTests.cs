using System.Diagnostics;
using System.Net;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;
using YamlDotNet.RepresentationModel;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// What a newcomer does in the first hour, through the real binary: serve without hand work, sign
/// in once, list and submit from the CLI, add a person, decide a gate as a listed approver, and
/// read messages that say what happened and what to do next.
/// </summary>
public sealed class FirstHourTests : IDisposable
{
    const string Gated = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: gated}
        spec:
          params: [{name: greeting, default: hello}]
          tasks:
            - {name: gate, uses: approval, with: {approvers: ["group:release-managers"], timeout: 1h}}
            - {name: after, uses: log, depends: gate, with: {message: "{{params.greeting}}"}}
        """;

    readonly GitRepository repo = new();
    readonly string folder = Directory.CreateTempSubdirectory("gitops-first-hour").FullName;
    readonly Dictionary<string, string> context;

    public FirstHourTests() =>
        context = new() { ["GITOPS_CONFIG"] = Path.Combine(folder, "context.json") };

    public void Dispose()
    {
        repo.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_first_serve_makes_an_admin_key_shows_it_once_and_keeps_only_its_hash()
    {
        repo.Commit("gated", ("workflows/gated.yaml", Gated));
        string key;
        await using (Served first = await Served.StartAsync(repo.Path, folder))
        {
            key = first.FirstKey ?? throw new InvalidOperationException($"no key was printed: {first.Output}");
            string config = File.ReadAllText(Path.Combine(folder, "serve.json"));
            Assert.DoesNotContain(key, config, StringComparison.Ordinal);
            Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))), config, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "serve.json")));
            }

            using var http = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/me")).StatusCode);
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/me")).StatusCode);
        }

        // The next start reads serve.json: the same key works, and no new one is made or shown.
        await using Served second = await Served.StartAsync(repo.Path, folder);
        Assert.Null(second.FirstKey);
        Assert.Contains("1 API key(s)", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_list_submit_and_a_person_added_while_serving_decides_the_gate()
    {
        repo.Commit("gated", ("workflows/gated.yaml", Gated), ("workflows/ping.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: ping}
            spec:
              params: [{name: url}]
              tasks: [{name: ping, uses: http, with: {url: "{{params.url}}"}}]
            """));
        await using Served server = await Served.StartAsync(repo.Path, folder);
        string admin = server.FirstKey!;

        CliResult notSignedIn = await Gitops.RunAsync(["list", "workflows", "--server", server.BaseUrl], context);
        Assert.Equal(1, notSignedIn.ExitCode);
        Assert.Contains("gitops login", notSignedIn.Stderr, StringComparison.Ordinal);

        CliResult wrong = await Gitops.RunAsync(["login", server.BaseUrl, "--api-key", "gok_not-a-key"], context);
        Assert.Equal(1, wrong.ExitCode);
        Assert.False(File.Exists(context["GITOPS_CONFIG"]), "a refused credential is not saved");

        CliResult login = await Gitops.RunAsync(["login", server.BaseUrl, "--api-key", admin], context);
        Assert.True(login.ExitCode == 0, login.Stderr);
        Assert.Contains("as admin (approver)", login.Stdout, StringComparison.Ordinal);

        CliResult workflows = await Gitops.RunAsync(["list", "workflows"], context);
        Assert.True(workflows.ExitCode == 0, workflows.Stderr);
        Assert.Matches(@"(?m)^NAME\s+VALID\s+FILE$", workflows.Stdout);
        Assert.Matches(@"(?m)^gated\s+true\s+workflows/gated\.yaml$", workflows.Stdout);

        CliResult submitted = await Gitops.RunAsync(["submit", "gated", "-p", "greeting=hi"], context);
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        string id = submitted.Stdout.Trim();
        Assert.StartsWith("gated-", id, StringComparison.Ordinal);
        Assert.Contains($"gitops watch {id}", submitted.Stderr, StringComparison.Ordinal);

        await Eventually.True(async () => (await Gitops.RunAsync(["list", "approvals"], context)).Stdout.Contains(id, StringComparison.Ordinal), "the gate to be listed");
        CliResult approvals = await Gitops.RunAsync(["list", "approvals", "-o", "wide"], context);
        Assert.Matches($@"(?m)^{id}\s+gate\s+group:release-managers\s+0/1\s+no\s", approvals.Stdout);

        // The admin started the run, so another person decides: added while the server runs, no restart.
        CliResult added = await Gitops.RunAsync(["keys", "add", "rita", "--role", "approver", "--group", "release-managers", "--config", Path.Combine(folder, "serve.json")], context);
        Assert.True(added.ExitCode == 0, added.Stderr);
        string rita = added.Stdout.Trim();
        Assert.StartsWith("gok_", rita, StringComparison.Ordinal);

        CliResult self = await Gitops.RunAsync(["approve", id, "gate"], context);
        Assert.Equal(1, self.ExitCode);
        Assert.Contains("another approver decides it", self.Stderr, StringComparison.Ordinal);

        Task<CliResult> watch = Gitops.RunAsync(["watch", id], context);
        CliResult approved = null!;
        await Eventually.True(async () => (approved = await Gitops.RunAsync(["approve", id, "gate", "-m", "fine", "--api-key", rita], context)).ExitCode == 0, "rita's new key to be accepted");
        Assert.Equal($"approved gate of {id}", approved.Stdout.Trim());
        CliResult watched = await watch;
        Assert.Equal(0, watched.ExitCode);
        Assert.Contains("Succeeded", watched.Stdout, StringComparison.Ordinal);

        // One document on stdout, in either format, for jq and yq.
        CliResult json = await Gitops.RunAsync(["list", "runs", "-o", "json"], context);
        using (JsonDocument document = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("Succeeded", document.RootElement.GetProperty("runs")[0].GetProperty("phase").GetString());
        }

        CliResult yaml = await Gitops.RunAsync(["list", "runs", "-o", "yaml"], context);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml.Stdout));
        Assert.Single(stream.Documents);
        CliResult runs = await Gitops.RunAsync(["list", "runs", "-o", "wide"], context);
        Assert.Matches($@"(?m)^{id}\s+gated\s+Succeeded\s+.*\badmin\b", runs.Stdout);

        // Without -v the server says what an operator needs: no per-request lines of HTTP clients,
        // no ASP.NET Core or Durable Task information, no sidecar channel chatter.
        CliResult ping = await Gitops.RunAsync(["submit", "ping", "-p", $"url={server.BaseUrl}/healthz", "--watch"], context);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        Assert.DoesNotContain("System.Net.Http", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("info: Microsoft", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Channel to backend", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("info: GitOps.Orchestrations.Server.GitOpsServer", server.Output, StringComparison.Ordinal);

        CliResult removed = await Gitops.RunAsync(["keys", "remove", "rita", "--config", Path.Combine(folder, "serve.json")], context);
        Assert.Equal(0, removed.ExitCode);
        await Eventually.True(async () => (await Gitops.RunAsync(["list", "runs", "--api-key", rita], context)).ExitCode == 1, "rita's key to be refused once removed");
    }

    [Fact]
    public async Task Keys_added_to_the_commented_sample_keep_its_comments_and_are_read_by_the_server()
    {
        string config = Path.Combine(folder, "serve.json");
        File.Copy(Path.Combine(Gitops.RepoRoot, "serve.sample.json"), config);
        CliResult bob = await Gitops.RunAsync(["keys", "add", "bob", "--role", "operator", "--config", config]);
        CliResult eve = await Gitops.RunAsync(["keys", "add", "eve", "--role", "viewer", "--group", "audit", "--config", config]);
        Assert.True(bob.ExitCode == 0 && eve.ExitCode == 0, bob.Stderr + eve.Stderr);
        CliResult again = await Gitops.RunAsync(["keys", "add", "bob", "--role", "approver", "--config", config]);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("'bob' already has a key", again.Stderr, StringComparison.Ordinal);
        CliResult badRole = await Gitops.RunAsync(["keys", "add", "carl", "--role", "admin", "--config", config]);
        Assert.Contains("unknown role 'admin'", badRole.Stderr, StringComparison.Ordinal);

        string text = File.ReadAllText(config);
        Assert.Contains("// Who may call the API.", text, StringComparison.Ordinal);
        Assert.Contains("\"PipelinePollIntervalSeconds\": 60", text, StringComparison.Ordinal);
        var options = Server.ServerOptions.Read(config, environment: new System.Collections.Hashtable());
        Assert.Equal(["bob", "eve"], options.ApiKeys.Select(k => k.User));
        Assert.Equal(Server.Authentication.ApiKeyFile.Hash(bob.Stdout.Trim()), options.ApiKeys[0].Sha256);
        Assert.Equal(["audit"], options.ApiKeys[1].Groups);

        CliResult removed = await Gitops.RunAsync(["keys", "remove", "bob", "--config", config]);
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal(["eve"], Server.ServerOptions.Read(config, environment: new System.Collections.Hashtable()).ApiKeys.Select(k => k.User));
        CliResult listed = await Gitops.RunAsync(["keys", "list", "--config", config]);
        Assert.Equal("eve\tviewer\taudit", listed.Stdout.Trim());
    }

    [Fact]
    public async Task A_store_that_cannot_be_reached_is_one_sentence_and_exit_2()
    {
        // Nothing listens on this port: the connection is refused at once.
        string store = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        CliResult run = await Gitops.RunAsync(["run", "workflows/hello-dag.yaml", "--approve", "gate"], new Dictionary<string, string> { ["GITOPS_STORE"] = store });
        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: cannot reach Azurite at 127.0.0.1:1 (", line, StringComparison.Ordinal);
        Assert.Contains("npx azurite", line, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", line, StringComparison.Ordinal);

        CliResult serve = await Gitops.RunAsync(["serve", "--store", store, "--repo", repo.Path, "--urls", "http://127.0.0.1:0"], workingDirectory: folder);
        Assert.Equal(2, serve.ExitCode);
        Assert.Contains("error: cannot reach Azurite at 127.0.0.1:1", serve.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", serve.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "serve.json")), "a start that failed keeps no key nobody was shown");
    }

    [Fact]
    public async Task A_local_decision_is_checked_as_the_named_person_and_a_refusal_is_printed_with_what_to_do()
    {
        string file = Path.Combine(folder, "gated.yaml");
        File.WriteAllText(file, Gated);

        // Redirected, so nobody is asked: the refusal and a true next step are printed as they happen.
        using Process refused = Gitops.Start(["run", file, "--approve", "gate", "--as", "rita"]);
        refused.StandardInput.Close();
        var lines = new List<string>();
        var seen = new TaskCompletionSource();
        refused.OutputDataReceived += (_, e) =>
        {
            lock (lines)
            {
                lines.Add(e.Data ?? string.Empty);
                if (lines.Any(l => l.Contains("refused approve by rita", StringComparison.Ordinal)) && lines.Any(l => l.Contains("this run lives in this process only", StringComparison.Ordinal)))
                {
                    seen.TrySetResult();
                }
            }
        };
        refused.BeginOutputReadLine();
        try
        {
            await seen.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            refused.Kill(entireProcessTree: true);
        }

        string output;
        lock (lines)
        {
            output = string.Join('\n', lines);
        }

        Assert.Contains("gate refused approve by rita: 'rita' is not among the gate's approvers (group:release-managers)", output, StringComparison.Ordinal);
        Assert.Contains("run again with --group release-managers", output, StringComparison.Ordinal);
        Assert.Contains("waits for group:release-managers until", output, StringComparison.Ordinal);
        Assert.DoesNotContain("run again with --approve gate,", output, StringComparison.Ordinal);

        CliResult approved = await Gitops.RunAsync(["run", file, "--approve", "gate", "--as", "rita", "--group", "release-managers", "-o", "json"]);
        Assert.True(approved.ExitCode == 0, approved.Stdout + approved.Stderr);
        using JsonDocument json = JsonDocument.Parse(approved.Stdout);
        Assert.Equal("approved by rita: approved on the command line (--approve)", json.RootElement.GetProperty("nodes")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Messages_say_what_happened_in_plain_words()
    {
        string file = Path.Combine(folder, "gated.yaml");
        File.WriteAllText(file, Gated);
        CliResult badParam = await Gitops.RunAsync(["run", file, "-p", "nope=1"]);
        Assert.Equal(2, badParam.ExitCode);
        Assert.DoesNotContain("(Parameter", badParam.Stderr, StringComparison.Ordinal);
        Assert.Contains("has no param 'nope'", badParam.Stderr, StringComparison.Ordinal);

        CliResult render = await Gitops.RunAsync(["render", "deploy/examples/shop/overlays/prod", "--type", "plain"]);
        Assert.Equal(1, render.ExitCode);
        Assert.Contains("hint: kustomization.yaml is in that folder: render it with --type kustomize", render.Stderr, StringComparison.Ordinal);
        CliResult detected = await Gitops.RunAsync(["render", "deploy/examples/shop/overlays/prod"]);
        Assert.True(detected.ExitCode == 0, detected.Stderr);
        Assert.Contains("rendering as kustomize", detected.Stderr, StringComparison.Ordinal);

        CliResult web = await Gitops.RunAsync(["run", "web", "--repo", ".", "-p", "version=1"]);
        Assert.Equal(2, web.ExitCode);
        Assert.Contains("the Rollout 'web' runs on its own as 'rollout-web'", web.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminate_pipeline_list_and_the_rollout_sample_read_as_sentences()
    {
        repo.Commit("gated", ("workflows/gated.yaml", Gated),
            ("workflows/open.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: open}\nspec:\n  tasks: [{name: gate, uses: approval}]\n"),
            ("workflows/rollout-web.yaml", File.ReadAllText(Path.Combine(Gitops.RepoRoot, "workflows/rollout-web.yaml"))),
            ("workflows/templates/success-rate.yaml", File.ReadAllText(Path.Combine(Gitops.RepoRoot, "workflows/templates/success-rate.yaml"))));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path);
        string[] As(string user) => ["--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf(user)];

        CliResult pipelines = await Gitops.RunAsync(["pipeline", "list", .. As("victor")]);
        Assert.Equal(0, pipelines.ExitCode);
        Assert.Contains("No pipelines: the server found no kind: Pipeline", pipelines.Stderr, StringComparison.Ordinal);

        // A Rollout is listed, and started, under the one name its runs record.
        CliResult workflows = await Gitops.RunAsync(["list", "workflows", .. As("victor")]);
        Assert.Matches(@"(?m)^rollout-web\s+true\s+workflows/rollout-web\.yaml$", workflows.Stdout);

        string id = (await Gitops.RunAsync(["submit", "gated", .. As("olga")])).Stdout.Trim();
        CliResult terminated = await Gitops.RunAsync(["terminate", id, "--reason", "done testing", .. As("olga")]);
        Assert.Equal($"asked {id} to stop; follow it with: gitops watch {id}", terminated.Stdout.Trim());
        CliResult watched = await Gitops.RunAsync(["watch", id, .. As("victor")]);
        Assert.Contains("Terminated: terminated by olga: done testing", watched.Stdout, StringComparison.Ordinal);

        string open = (await Gitops.RunAsync(["submit", "open", .. As("olga")])).Stdout.Trim();
        await Eventually.True(async () => (await Gitops.RunAsync(["list", "approvals", .. As("victor")])).Stdout.Contains(open, StringComparison.Ordinal), "the open gate to wait");
        CliResult notAnApprover = await Gitops.RunAsync(["approve", open, "gate", .. As("olga")]);
        Assert.Contains("'olga' is an operator; this needs the approver role", notAnApprover.Stderr, StringComparison.Ordinal);
        CliResult status = await Gitops.RunAsync(["status", open, .. As("victor")]);
        Assert.Matches(@"\? gate waits for any approver until .+, then reject", status.Stdout);
        CliResult rejected = await Gitops.RunAsync(["reject", open, "gate", "-m", "not today", .. As("sam")]);
        Assert.Equal($"rejected gate of {open}", rejected.Stdout.Trim());
    }
}
