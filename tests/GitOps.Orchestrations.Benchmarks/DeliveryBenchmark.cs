using System.Diagnostics;
using System.Text;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Delivery.Policies;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.LiveObjects;
using GitOps.Orchestrations.Rendering;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// Render and apply of a 500-object app against the Kubernetes API fixture (first apply, unchanged
/// re-apply, one changed object), and a re-sync of an unchanged git:// remote.
/// </summary>
public static class DeliveryBenchmark
{
    public const int Objects = 500;

    public static async Task RunAsync(int repeat)
    {
        var first = new List<double>();
        var unchanged = new List<double>();
        var oneChange = new List<double>();
        var renderCold = new List<double>();
        var writes = new List<(int First, int Unchanged, int OneChange)>();
        var requestCounts = new List<int>();
        var unchangedListing = new List<double>();
        var unchangedSteady = new List<double>();
        var policyTimes = new List<double>();
        var policyReused = new List<double>();
        IReadOnlyList<PolicyDefinition> policies = TenPolicies();
        int violations = 0, mutated = 0;
        double? policyFirst = null;
        for (int round = 0; round <= repeat; round++)
        {
            using var repo = new GitRepository();
            repo.Commit("app", Files(version: 1));
            string cache = Directory.CreateTempSubdirectory("gitops-bench-").FullName;
            var server = new KubeApiServer();
            await server.InitializeAsync();
            try
            {
                var renderer = new RenderService(new GitCheckout(cache));
                var source = new SourceSpec { Repo = repo.Path, Path = "app" };
                var cluster = new ClusterSpec { Kubeconfig = server.WriteKubeconfig(Path.Combine(cache, "kube")) };
                using ClusterClient client = ClusterClient.Connect(cluster);
                // As the apply activity runs it: with the cluster's watch-fed cache of live objects.
                await using var liveObjects = new LiveObjectCache(cluster);
                var applier = new KubernetesApplier(client, liveObjects);
                var options = new ApplyOptions { Application = "bench", Namespace = "bench", Prune = true };

                var watch = Stopwatch.StartNew();
                ManifestSet set = await renderer.RenderAsync(source, repo.Head, new RenderSpec());
                double render = watch.Elapsed.TotalSeconds;
                ApplyReport a = await applier.ApplyAsync(set, options);
                double t1 = watch.Elapsed.TotalSeconds;

                // The policy gate as a sync runs it: ten policies, mutations first, over the same render.
                // A server evaluates on every sync, so the figure is its steady state: the first
                // evaluations of a fresh process (JIT) are not counted, and are reported apart.
                var evaluations = new List<double>();
                for (int i = 0; i < 30; i++)
                {
                    var clock = Stopwatch.StartNew();
                    PolicyReport report = PolicyEngine.Evaluate(set, policies, "bench");
                    evaluations.Add(clock.Elapsed.TotalSeconds);
                    (violations, mutated) = (report.Violations.Count, report.Mutations.Count);
                }

                policyFirst ??= evaluations[0];
                evaluations.RemoveRange(0, 20);

                // An unchanged re-sync through the gate: a new render of the same commit has the same digest.
                var gate = new PolicyGate([]);
                gate.Check(set, policies, "bench");
                ManifestSet again = await renderer.RenderAsync(source, repo.Head, new RenderSpec());
                var reuse = Stopwatch.StartNew();
                gate.Check(again, policies, "bench");
                double reused = reuse.Elapsed.TotalSeconds;

                int lists = liveObjects.Lists;
                int requests = server.RequestLog.Count;
                watch.Restart();
                ApplyReport b = await applier.ApplyAsync(await renderer.RenderAsync(source, repo.Head, new RenderSpec()), options);
                double t2 = watch.Elapsed.TotalSeconds;
                if (liveObjects.Lists != lists)
                {
                    throw new InvalidOperationException($"the unchanged re-apply listed {liveObjects.Lists - lists} scopes again");
                }

                int unchangedRequests = server.RequestLog.Count - requests;

                // Again: the steady state of a sync that runs on a schedule against an app nobody touches.
                watch.Restart();
                ApplyReport steady = await applier.ApplyAsync(await renderer.RenderAsync(source, repo.Head, new RenderSpec()), options);
                double tSteady = watch.Elapsed.TotalSeconds;

                // The same unchanged re-apply listing every kind, as without the cache.
                watch.Restart();
                ApplyReport listed = await new KubernetesApplier(client).ApplyAsync(await renderer.RenderAsync(source, repo.Head, new RenderSpec()), options);
                double tListed = watch.Elapsed.TotalSeconds;

                string changed = repo.Commit("one change", ("app/cm-0007.yaml", ConfigMap(7, version: 2)));
                watch.Restart();
                ApplyReport c = await applier.ApplyAsync(await renderer.RenderAsync(source, changed, new RenderSpec()), options);
                double t3 = watch.Elapsed.TotalSeconds;

                if (b.Writes != 0 || steady.Writes != 0 || listed.Writes != 0 || b.InventoryUpdated || c.Writes != 1 || a.Count("created") != Objects)
                {
                    throw new InvalidOperationException($"expected {Objects} created, 0 and 1 object writes; got {a.Summary} / {b.Writes} / {c.Writes}");
                }

                if (round > 0)
                {
                    // Round 0 warms the JIT and is not counted.
                    first.Add(t1);
                    unchanged.Add(t2);
                    oneChange.Add(t3);
                    renderCold.Add(render);
                    writes.Add((a.Writes, b.Writes, c.Writes));
                    requestCounts.Add(unchangedRequests);
                    unchangedListing.Add(tListed);
                    unchangedSteady.Add(tSteady);
                    policyTimes.Add(Median(evaluations));
                    policyReused.Add(reused);
                }
            }
            finally
            {
                await server.DisposeAsync();
                Directory.Delete(cache, recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| {Objects}-object app, API fixture | median s | object writes | inventory writes |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| render (plain, cold) | {Median(renderCold):0.000} | - | - |");
        Console.WriteLine($"| first render + apply | {Median(first):0.000} | {writes[0].First} | 1 |");
        Console.WriteLine($"| unchanged re-apply, first after the apply (watch cache) | {Median(unchanged):0.000} | {writes[0].Unchanged} | 0 |");
        Console.WriteLine($"| unchanged re-apply, again (watch cache, versions already compared) | {Median(unchangedSteady):0.000} | 0 | 0 |");
        Console.WriteLine($"| unchanged re-apply (render cached, one LIST per kind) | {Median(unchangedListing):0.000} | 0 | 0 |");
        Console.WriteLine($"| one object changed (new commit, new render) | {Median(oneChange):0.000} | {writes[0].OneChange} | 1 |");
        Console.WriteLine($"first / unchanged: {Median(first) / Median(unchanged):0.0}x first after the apply, {Median(first) / Median(unchangedSteady):0.0}x again, {Median(first) / Median(unchangedListing):0.0}x listing");
        Console.WriteLine($"API requests in an unchanged re-apply: {string.Join(", ", requestCounts.Distinct())} (no LIST: live objects from the watch-fed cache)");

        Console.WriteLine();
        Console.WriteLine($"| {policies.Count} policies ({policies.Sum(p => p.Rules.Count)} rules) over the {Objects}-object app | median s | share of first render + apply | share of an unchanged re-apply |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| evaluate (mutate, then validate) | {Median(policyTimes):0.0000} | {100 * Median(policyTimes) / Median(first):0.0}% | {100 * Median(policyTimes) / Median(unchangedSteady):0.0}% |");
        Console.WriteLine($"| the gate on an unchanged re-sync (same render digest: result reused) | {Median(policyReused):0.0000} | {100 * Median(policyReused) / Median(first):0.0}% | {100 * Median(policyReused) / Median(unchangedSteady):0.0}% |");
        Console.WriteLine($"violations: {violations}, mutations: {mutated}; the first evaluation in a fresh process (JIT): {policyFirst:0.000} s");

        await GitResyncAsync(repeat);
    }

    /// <summary>The seven policies the project ships, and three more of the kinds teams add: a deny, a replica floor, no NodePort.</summary>
    static IReadOnlyList<PolicyDefinition> TenPolicies()
    {
        var policies = new List<PolicyDefinition>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "policies"), "*.yaml").Order(StringComparer.Ordinal))
        {
            policies.AddRange(DocumentLoader.Load(file, File.ReadAllBytes(file), TaskTypeRegistry.BuiltIn()).Of<PolicyDefinition>());
        }

        const string more = """
            apiVersion: kyverno.io/v1
            kind: ClusterPolicy
            metadata: {name: deny-default-namespace}
            spec:
              validationFailureAction: Audit
              rules:
                - name: not-default
                  match: {any: [{resources: {kinds: [ConfigMap, Service, Deployment]}}]}
                  validate:
                    message: "use a namespace of your own"
                    deny:
                      conditions:
                        any:
                          - {key: "{{ request.object.metadata.namespace }}", operator: Equals, value: default}
            ---
            apiVersion: kyverno.io/v1
            kind: ClusterPolicy
            metadata: {name: replica-floor}
            spec:
              validationFailureAction: Audit
              rules:
                - name: two-or-more
                  match: {any: [{resources: {kinds: [Deployment]}}]}
                  validate:
                    message: "run at least two replicas"
                    pattern: {spec: {replicas: ">=2"}}
            ---
            apiVersion: kyverno.io/v1
            kind: ClusterPolicy
            metadata: {name: no-node-port}
            spec:
              validationFailureAction: Audit
              rules:
                - name: cluster-ip
                  match: {any: [{resources: {kinds: [Service]}}]}
                  validate:
                    message: "NodePort opens every node"
                    pattern: {spec: {=(type): "!NodePort"}}
            """;
        LoadResult extra = DocumentLoader.Load("bench-policies.yaml", more, TaskTypeRegistry.BuiltIn());
        if (extra.Diagnostics.Count > 0 || policies.Count + extra.Documents.Count != 10)
        {
            throw new InvalidOperationException(string.Join("\n", extra.Diagnostics));
        }

        return [.. policies, .. extra.Of<PolicyDefinition>()];
    }

    static async Task GitResyncAsync(int repeat)
    {
        await using GitServers servers = await GitServers.StartAsync();
        using var repo = new GitRepository();
        repo.Commit("app", Files(version: 1));
        servers.Publish("app.git", repo);
        string cache = Directory.CreateTempSubdirectory("gitops-bench-git-").FullName;
        try
        {
            var checkout = new GitCheckout(cache);
            var source = new SourceSpec { Repo = $"{servers.GitUrl}/app.git", Revision = "main" };
            var watch = Stopwatch.StartNew();
            checkout.Export(source, GitCheckout.Resolve(source, checkout.Traffic));
            double cold = watch.Elapsed.TotalSeconds;
            var warm = new List<double>();
            long lsRemotes = checkout.Traffic.LsRemotes, fetches = checkout.Traffic.Fetches;
            for (int i = 0; i < repeat; i++)
            {
                watch.Restart();
                checkout.Export(source, GitCheckout.Resolve(source, checkout.Traffic));
                warm.Add(watch.Elapsed.TotalSeconds);
            }

            Console.WriteLine();
            Console.WriteLine("| git:// remote, 500 files | median s | ls-remote | fetch |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| first sync (clone + export) | {cold:0.000} | 1 | 1 |");
            Console.WriteLine($"| unchanged re-sync, per run | {Median(warm):0.000} | {(checkout.Traffic.LsRemotes - lsRemotes) / (double)repeat:0} | {(checkout.Traffic.Fetches - fetches) / (double)repeat:0} |");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    /// <summary>A namespace, then ConfigMaps, Services and Deployments to 500 objects in all, one file each.</summary>
    static (string, string)[] Files(int version)
    {
        var files = new List<(string, string)> { ("app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n") };
        for (int i = 0; files.Count < Objects; i++)
        {
            files.Add((i % 4) switch
            {
                0 or 1 => ($"app/cm-{i:0000}.yaml", ConfigMap(i, version)),
                2 => ($"app/svc-{i:0000}.yaml", $"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}}}\nspec:\n  selector: {{app: d-{i}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n"),
                _ => ($"app/deploy-{i:0000}.yaml", $"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d-{i}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: d-{i}}}}}\n  template:\n    metadata: {{labels: {{app: d-{i}}}}}\n    spec:\n      containers: [{{name: app, image: \"registry.local/app:{version}.0\"}}]\n"),
            });
        }

        return files.ToArray();
    }

    static string ConfigMap(int i, int version)
    {
        var data = new StringBuilder();
        for (int k = 0; k < 5; k++)
        {
            data.Append($"  key{k}: \"value {k} of {i} at version {version}\"\n");
        }

        return $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata:\n{data}";
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
