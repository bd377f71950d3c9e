using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Testing.Processes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// deploy/kubernetes, rendered as an operator renders it: every overlay builds with kubectl's
/// kustomize, every object is one the Kubernetes API knows field by field, and the pieces fit
/// (probes on the server's real endpoints, selectors that select, a read-only root with writable
/// places where the server writes, least-privilege RBAC).
/// </summary>
public sealed class KubernetesInstallTests : IDisposable
{
    readonly KubernetesInstall install = new();

    public void Dispose() => install.Dispose();

    public static TheoryData<string> Overlays => [.. KubernetesInstall.Overlays];

    List<object> Objects(string overlay) => [.. KubernetesYaml.LoadAllFromString(install.Render(overlay), typeMap: null, strict: true)];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_overlay_renders_into_objects_that_deserialise_strictly_into_their_client_models(string overlay)
    {
        List<object> objects = Objects(overlay);
        Assert.Contains(objects, o => o is V1Deployment);
        Assert.Contains(objects, o => o is V1Service);
        Assert.Contains(objects, o => o is V1ConfigMap);
        Assert.Contains(objects, o => o is V1PodDisruptionBudget);
        Assert.Contains(objects, o => o is V1NetworkPolicy);
        Assert.All(objects.OfType<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace and not V1ClusterRole and not V1ClusterRoleBinding), o => Assert.Equal("gitops", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void A_field_the_models_do_not_know_fails_the_strict_reading()
    {
        string rendered = install.Render("namespaced").Replace("readinessProbe:", "readinessProbee:", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(rendered, typeMap: null, strict: true).ToList());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_server_runs_non_root_on_a_read_only_root_with_probes_on_its_real_endpoints(string overlay)
    {
        List<object> objects = Objects(overlay);
        V1Deployment deployment = objects.OfType<V1Deployment>().Single();
        Assert.Equal(2, deployment.Spec.Replicas);
        V1PodSpec pod = deployment.Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        V1Container server = Assert.Single(pod.Containers);
        Assert.False(server.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(server.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], server.SecurityContext.Capabilities.Drop);
        Assert.Equal("/healthz", server.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", server.ReadinessProbe.HttpGet.Path);
        Assert.True(server.ReadinessProbe.TimeoutSeconds > 5, "the readiness probe outwaits the server's own 5 s budget per check");
        Assert.All(new[] { "cpu", "memory" }, r => Assert.True(server.Resources.Requests.ContainsKey(r) && server.Resources.Limits.ContainsKey(r), $"{r} request and limit"));
        // The self-managed overlay leaves the image to workflows/gitops-self.yaml's parameter.
        Assert.Equal(overlay == "self-managed" ? "gitops" : "registry.example.com/gitops:0.16.0", server.Image);

        // Every mount has its volume; what the server writes (temp, HOME, the clone cache) is on a writable one.
        var volumes = pod.Volumes.ToDictionary(v => v.Name);
        Assert.All(server.VolumeMounts, m => Assert.True(volumes.ContainsKey(m.Name), $"volume {m.Name}"));
        string Env(string name) => server.Env.Single(e => e.Name == name).Value;
        foreach (string written in new[] { "/tmp", Env("HOME"), Env("GITOPS_CACHE_DIR") })
        {
            Assert.Contains(server.VolumeMounts, m => (written + "/").StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal) && m.ReadOnlyProperty != true && volumes[m.Name].EmptyDir is not null);
        }

        // The configuration file it is told to read is the ConfigMap's, mounted; the keys file it names is the Secret's.
        string config = server.Args[server.Args.IndexOf("--config") + 1];
        V1VolumeMount configMount = server.VolumeMounts.Single(m => config.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        V1ConfigMap configMap = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == volumes[configMount.Name].ConfigMap.Name);
        string serveJson = configMap.Data[Path.GetFileName(config)];
        string keysFile = System.Text.Json.JsonDocument.Parse(serveJson).RootElement.GetProperty("GitOps").GetProperty("KeysFile").GetString()!;
        V1VolumeMount keysMount = server.VolumeMounts.Single(m => keysFile.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        V1SecretVolumeSource keys = volumes[keysMount.Name].Secret;
        Assert.Contains(keys.Items, i => i.Path == Path.GetFileName(keysFile) && i.Key == "keys.json");
        Assert.Equal(keys.SecretName, Assert.Single(server.EnvFrom).SecretRef.Name);
        if (objects.OfType<V1Secret>().SingleOrDefault() is { } secret)
        {
            Assert.Equal(secret.Metadata.Name, keys.SecretName);
            Assert.Equal(["GITOPS_APPROVAL_KEY", "GITOPS_STORE", "keys.json"], secret.Data.Keys.Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_service_the_disruption_budget_and_the_network_policy_select_the_servers_pods(string overlay)
    {
        List<object> objects = Objects(overlay);
        V1Deployment deployment = objects.OfType<V1Deployment>().Single();
        IDictionary<string, string> labels = deployment.Spec.Template.Metadata.Labels;
        bool Selects(IDictionary<string, string> selector) => selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out string? value) && value == s.Value);
        Assert.True(Selects(deployment.Spec.Selector.MatchLabels));
        V1Service service = objects.OfType<V1Service>().Single();
        Assert.True(Selects(service.Spec.Selector));
        Assert.Contains(deployment.Spec.Template.Spec.Containers[0].Ports, p => p.Name == (string)service.Spec.Ports.Single().TargetPort);
        Assert.True(Selects(objects.OfType<V1PodDisruptionBudget>().Single().Spec.Selector.MatchLabels));
        V1NetworkPolicy policy = objects.OfType<V1NetworkPolicy>().Single();
        Assert.True(Selects(policy.Spec.PodSelector.MatchLabels));
        Assert.Contains(policy.Spec.Ingress.SelectMany(r => r.Ports), p => (string)p.Port == "8080");
        Assert.Equal(deployment.Spec.Template.Spec.ServiceAccountName, objects.OfType<V1ServiceAccount>().Single().Metadata.Name);
    }

    [Fact]
    public void The_roles_grant_the_same_narrow_rights_and_only_the_cluster_one_reaches_namespaces()
    {
        V1Role role = Objects("namespaced").OfType<V1Role>().Single();
        V1ClusterRole clusterRole = Objects("cluster").OfType<V1ClusterRole>().Single();
        static IEnumerable<string> Grants(IEnumerable<V1PolicyRule> rules) =>
            rules.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => $"{g}/{res}:{v}")))).Order(StringComparer.Ordinal);

        Assert.Equal(Grants(role.Rules), Grants(clusterRole.Rules).Where(g => !g.StartsWith("/namespaces:", StringComparison.Ordinal)));
        Assert.All(Grants(clusterRole.Rules), g => Assert.DoesNotContain("*", g, StringComparison.Ordinal));
        Assert.DoesNotContain(Grants(clusterRole.Rules), g => g.StartsWith("/secrets:", StringComparison.Ordinal));
        Assert.Contains("/configmaps:patch", Grants(role.Rules));
        Assert.Contains("apps/deployments:delete", Grants(role.Rules));
        Assert.DoesNotContain("/namespaces:delete", Grants(clusterRole.Rules));

        V1RoleBinding binding = Objects("namespaced").OfType<V1RoleBinding>().Single();
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        V1ClusterRoleBinding clusterBinding = Objects("cluster").OfType<V1ClusterRoleBinding>().Single();
        Assert.Equal(("ServiceAccount", "gitops", "gitops"), (clusterBinding.Subjects[0].Kind, clusterBinding.Subjects[0].Name, clusterBinding.Subjects[0].NamespaceProperty));
    }

    /// <summary>
    /// What only a real API server can say: every object of every overlay passes its validation and
    /// admission, in a server-side dry run (nothing is created).
    /// </summary>
    [RealClusterTheory]
    [MemberData(nameof(Overlays))]
    public async Task A_real_api_server_accepts_every_overlay_in_a_server_side_dry_run(string overlay)
    {
        string kubeconfig = await RealCluster.KubeconfigAsync();
        string rendered = Path.Combine(install.Path, $"{overlay}.yaml");
        File.WriteAllText(rendered, install.Render(overlay));
        ToolRun kubectl = await Tool.RunAsync("kubectl", ["--kubeconfig", kubeconfig, "apply", "--dry-run=server", "-f", rendered], install.Path);

        // The namespace does not exist in a dry run, so its objects may only be refused for that.
        string[] refusals = [.. kubectl.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("namespaces \"gitops\" not found", StringComparison.Ordinal))];
        Assert.True(refusals.Length == 0, string.Join('\n', refusals) + kubectl.Stdout);
    }
}
