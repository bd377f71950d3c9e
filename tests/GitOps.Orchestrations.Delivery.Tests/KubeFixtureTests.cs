using System.Text.Json;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>The fixture behaves as the API documentation says, seen through the real KubernetesClient.</summary>
public sealed class KubeFixtureTests : IAsyncLifetime
{
    readonly KubeApiServer server = new();
    k8s.Kubernetes client = null!;

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kube-{Guid.NewGuid():N}"))));
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Discovery_lists_groups_and_resources()
    {
        V1APIGroupList groups = await client.Apis.GetAPIVersionsAsync();
        Assert.Contains(groups.Groups, g => g.Name == "apps");
        V1APIResourceList apps = await client.AppsV1.GetAPIResourcesAsync();
        Assert.Contains(apps.Resources, r => r.Name == "deployments" && r.Namespaced && r.Kind == "Deployment");
        Assert.Contains(apps.Resources, r => r.Name == "deployments/status");
    }

    [Fact]
    public async Task Apply_creates_then_a_spec_change_bumps_generation_and_an_identical_apply_writes_nothing()
    {
        V1Deployment first = await ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops");
        Assert.Equal(1, first.Metadata.Generation);
        int writes = server.Writes;

        V1Deployment same = await ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops");
        Assert.Equal(first.Metadata.ResourceVersion, same.Metadata.ResourceVersion);
        Assert.Equal(writes, server.Writes);

        V1Deployment changed = await ApplyDeployment("nginx:1.26", replicas: 2, manager: "gitops");
        Assert.Equal(2, changed.Metadata.Generation);
        Assert.NotEqual(first.Metadata.ResourceVersion, changed.Metadata.ResourceVersion);
        Assert.Contains(changed.Metadata.ManagedFields, m => m.Manager == "gitops" && m.Operation == "Apply");
    }

    [Fact]
    public async Task Apply_of_a_field_another_manager_changed_conflicts_unless_forced()
    {
        await ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops");
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":5}}", V1Patch.PatchType.MergePatch), "api", "default", fieldManager: "kubectl-edit");

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops"));
        Assert.Equal(409, (int)conflict.Response.StatusCode);
        Assert.Contains("conflict with \"kubectl-edit\"", Message(conflict));

        V1Deployment forced = await ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops", force: true);
        Assert.Equal(2, forced.Spec.Replicas);
    }

    [Fact]
    public async Task Apply_accepts_a_yaml_body_as_kubectl_sends_it()
    {
        using var http = new HttpClient();
        using var content = new StringContent("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  port: \"8080\"\n", System.Text.Encoding.UTF8, "application/apply-patch+yaml");
        using HttpResponseMessage response = await http.PatchAsync($"{server.Url}/api/v1/namespaces/default/configmaps/from-yaml?fieldManager=kubectl", content);
        Assert.Equal(201, (int)response.StatusCode);
        Assert.Equal("8080", (await client.CoreV1.ReadNamespacedConfigMapAsync("from-yaml", "default")).Data["port"]);

        using var broken = new StringContent("data: [unclosed\n", System.Text.Encoding.UTF8, "application/apply-patch+yaml");
        Assert.Equal(400, (int)(await http.PatchAsync($"{server.Url}/api/v1/namespaces/default/configmaps/x?fieldManager=kubectl", broken)).StatusCode);
    }

    [Fact]
    public async Task A_stale_resourceVersion_is_a_409_and_status_is_only_written_through_its_subresource()
    {
        V1Deployment created = await ApplyDeployment("nginx:1.25", replicas: 1, manager: "gitops");
        created.Spec.Replicas = 3;
        await client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "api", "default");
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "api", "default"));
        Assert.Equal(409, (int)stale.Response.StatusCode);

        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"status\":{\"readyReplicas\":9}}", V1Patch.PatchType.MergePatch), "api", "default");
        Assert.Null((await client.AppsV1.ReadNamespacedDeploymentAsync("api", "default")).Status?.ReadyReplicas);
        V1Deployment status = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("{\"status\":{\"readyReplicas\":3,\"observedGeneration\":2}}", V1Patch.PatchType.MergePatch), "api", "default");
        Assert.Equal(3, status.Status.ReadyReplicas);
        Assert.Equal(2, status.Metadata.Generation);
    }

    [Fact]
    public async Task Objects_need_their_namespace_and_deleting_a_namespace_deletes_its_objects()
    {
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "nowhere"));
        Assert.Equal(404, (int)missing.Response.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", Message(missing));

        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "team");
        Assert.Single((await client.CoreV1.ListNamespacedConfigMapAsync("team")).Items);
        await client.CoreV1.DeleteNamespaceAsync("team");
        Assert.Empty((await client.CoreV1.ListNamespacedConfigMapAsync("team")).Items);
    }

    [Fact]
    public async Task Watch_streams_changes_after_a_resourceVersion()
    {
        V1ConfigMapList list = await client.CoreV1.ListNamespacedConfigMapAsync("default");
        var seen = new List<(WatchEventType, string)>();
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Task watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: done.Token))
            {
                seen.Add((type, item.Metadata.Name));
                if (seen.Count == 3)
                {
                    break;
                }
            }
        });
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "w" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, "default");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"a\":\"2\"}}", V1Patch.PatchType.MergePatch), "w", "default");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("w", "default");
        await watching;
        Assert.Equal([(WatchEventType.Added, "w"), (WatchEventType.Modified, "w"), (WatchEventType.Deleted, "w")], seen);
    }

    // resource.Quantity's canonical form, as the API reference's Quantity section describes it and
    // kubectl reads it back: the largest suffix that keeps the value whole, in the format it was written in.
    [Theory]
    [InlineData("1", "1")]
    [InlineData("0.5", "500m")]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("1.5Gi", "1536Mi")]
    [InlineData("2000m", "2")]
    [InlineData("100000000", "100M")]
    [InlineData("0.0001", "100u")]
    [InlineData("129e6", "129e6")]
    [InlineData("1000Mi", "1000Mi")]
    public async Task Quantities_are_stored_in_canonical_form(string written, string stored)
    {
        // Raw JSON, past the client's own Quantity type, so the server's rewriting is what is seen.
        string json = written.All(c => char.IsDigit(c) || c == '.') ? written : $"\"{written}\"";
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},"spec":{"resources":{"requests":{"storage":""" + json + "}}}}", V1Patch.PatchType.ApplyPatch),
            string.Empty, "v1", "default", "persistentvolumeclaims", "data", fieldManager: "gitops");

        Assert.Equal(stored, (string?)server.Get("v1", "PersistentVolumeClaim", "default", "data")!["spec"]!["resources"]!["requests"]!["storage"]);
    }

    [Fact]
    public async Task A_quantity_that_does_not_parse_is_refused_with_422()
    {
        var invalid = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},"spec":{"resources":{"requests":{"storage":"lots"}}}}""", V1Patch.PatchType.ApplyPatch),
            string.Empty, "v1", "default", "persistentvolumeclaims", "data", fieldManager: "gitops"));

        Assert.Equal(422, (int)invalid.Response.StatusCode);
    }

    [Fact]
    public async Task Documented_defaults_are_filled_in_and_owned_by_no_manager()
    {
        V1Deployment deployment = await ApplyDeployment("nginx", replicas: 1, manager: "gitops");
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "api" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }, "default");

        Assert.Equal(("RollingUpdate", "25%", 10, 600), (deployment.Spec.Strategy.Type, (string)deployment.Spec.Strategy.RollingUpdate.MaxSurge, deployment.Spec.RevisionHistoryLimit, deployment.Spec.ProgressDeadlineSeconds));
        V1Container container = deployment.Spec.Template.Spec.Containers.Single();
        Assert.Equal(("Always", "/dev/termination-log", "File"), (container.ImagePullPolicy, container.TerminationMessagePath, container.TerminationMessagePolicy));
        Assert.Equal(("Always", "ClusterFirst", 30L), (deployment.Spec.Template.Spec.RestartPolicy, deployment.Spec.Template.Spec.DnsPolicy, deployment.Spec.Template.Spec.TerminationGracePeriodSeconds));
        V1Service service = await client.CoreV1.ReadNamespacedServiceAsync("api", "default");
        Assert.Equal(("ClusterIP", "None", "TCP", "80"), (service.Spec.Type, service.Spec.SessionAffinity, service.Spec.Ports[0].Protocol, (string)service.Spec.Ports[0].TargetPort));

        string owned = JsonSerializer.Serialize(deployment.Metadata.ManagedFields.Single(m => m.Manager == "gitops").FieldsV1);
        Assert.DoesNotContain("imagePullPolicy", owned);
        Assert.DoesNotContain("revisionHistoryLimit", owned);
    }

    [Fact]
    public async Task Probes_projected_volumes_network_policies_and_disruption_budgets_get_their_documented_defaults()
    {
        var pod = new V1PodSpec
        {
            Containers = [new V1Container { Name = "web", Image = "web:1", ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = 8080 } } }],
            Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } }, new V1Volume { Name = "keys", Secret = new V1SecretVolumeSource { SecretName = "keys" } }],
        };
        V1Deployment deployment = await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } }, Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } }, Spec = pod } },
        }, "default");
        V1Probe probe = deployment.Spec.Template.Spec.Containers[0].ReadinessProbe;
        Assert.Equal((1, 10, 1, 3, "HTTP"), (probe.TimeoutSeconds, probe.PeriodSeconds, probe.SuccessThreshold, probe.FailureThreshold, probe.HttpGet.Scheme));
        Assert.Equal([420, 420], deployment.Spec.Template.Spec.Volumes.Select(v => v.ConfigMap?.DefaultMode ?? v.Secret.DefaultMode));

        V1NetworkPolicy ingressOnly = await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(new V1NetworkPolicy { Metadata = new V1ObjectMeta { Name = "in" }, Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), Ingress = [new V1NetworkPolicyIngressRule { Ports = [new V1NetworkPolicyPort { Port = 8080 }] }] } }, "default");
        Assert.Equal(["Ingress"], ingressOnly.Spec.PolicyTypes);
        Assert.Equal("TCP", ingressOnly.Spec.Ingress[0].Ports[0].Protocol);
        V1NetworkPolicy both = await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(new V1NetworkPolicy { Metadata = new V1ObjectMeta { Name = "both" }, Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), Egress = [new V1NetworkPolicyEgressRule { Ports = [new V1NetworkPolicyPort { Port = 53 }] }] } }, "default");
        Assert.Equal(["Ingress", "Egress"], both.Spec.PolicyTypes);

        V1PodDisruptionBudget budget = await client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } } } }, "default");
        Assert.Equal(1, budget.Metadata.Generation);
        Assert.Equal("1", (string)budget.Spec.MinAvailable);
    }

    [Fact]
    public async Task Managed_fields_are_leaves_and_lists_of_containers_are_keyed_by_name()
    {
        await ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops");
        V1Deployment scaled = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":5}}", V1Patch.PatchType.MergePatch), "api", "default", fieldManager: "kubectl-scale");

        string gitops = JsonSerializer.Serialize(scaled.Metadata.ManagedFields.Single(m => m.Manager == "gitops").FieldsV1);
        string scale = JsonSerializer.Serialize(scaled.Metadata.ManagedFields.Single(m => m.Manager == "kubectl-scale").FieldsV1);
        Assert.Contains("k:{\\u0022name\\u0022:\\u0022api\\u0022}", gitops);
        Assert.Contains("f:image", gitops);
        Assert.DoesNotContain("f:replicas", gitops);
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", scale);

        // The image is still the applier's: changing it alone is no conflict with kubectl-scale.
        V1Deployment changed = await ApplyDeployment("nginx:1.26", replicas: 5, manager: "gitops");
        Assert.Equal("nginx:1.26", changed.Spec.Template.Spec.Containers.Single().Image);
    }

    [Fact]
    public async Task A_conflict_names_the_field_path_as_the_server_does()
    {
        await ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops");
        await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"nginx:1.24\"}]}}}}", V1Patch.PatchType.MergePatch), "api", "default", fieldManager: "kubectl-edit");

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => ApplyDeployment("nginx:1.25", replicas: 2, manager: "gitops"));

        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.template.spec.containers[name=\"api\"].image", Message(conflict));
    }

    static string Message(HttpOperationException e) => JsonDocument.Parse(e.Response.Content).RootElement.GetProperty("message").GetString()!;

    Task<V1Deployment> ApplyDeployment(string image, int replicas, string manager, bool force = false)
    {
        var deployment = new
        {
            apiVersion = "apps/v1",
            kind = "Deployment",
            metadata = new { name = "api", @namespace = "default" },
            spec = new { replicas, selector = new { matchLabels = new { app = "api" } }, template = new { metadata = new { labels = new { app = "api" } }, spec = new { containers = new[] { new { name = "api", image } } } } },
        };
        return client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(JsonSerializer.Serialize(deployment), V1Patch.PatchType.ApplyPatch), "api", "default", fieldManager: manager, force: force);
    }

    async Task<(V1Job Job, V1Pod Pod)> JobWithPod(string name)
    {
        V1Job job = await client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1JobSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "busybox" }] } } },
        }, "default");
        V1Pod pod = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = $"{name}-abcde", Labels = new Dictionary<string, string> { ["job-name"] = name }, OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = name, Uid = job.Metadata.Uid, Controller = true }] },
            Spec = job.Spec.Template.Spec,
        }, "default");
        return (job, pod);
    }

    [Fact]
    public async Task Deleting_a_job_in_the_foreground_takes_its_pods_and_without_a_policy_orphans_them()
    {
        await JobWithPod("fore");
        await client.BatchV1.DeleteNamespacedJobAsync("fore", "default", propagationPolicy: "Foreground");
        Assert.Null(server.Get("v1", "Pod", "default", "fore-abcde"));

        // The batch API's own default keeps the pods, without their owner: why the engine always names a policy.
        await JobWithPod("plain");
        await client.BatchV1.DeleteNamespacedJobAsync("plain", "default");
        Assert.Null(server.Get("batch/v1", "Job", "default", "plain"));
        Assert.Empty(server.Get("v1", "Pod", "default", "plain-abcde")!["metadata"]!["ownerReferences"]!.AsArray());

        var bad = await Assert.ThrowsAsync<HttpOperationException>(() => client.BatchV1.DeleteNamespacedJobAsync("fore", "default", propagationPolicy: "Sideways"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.Response.StatusCode);
    }

    [Fact]
    public async Task A_pod_log_is_served_with_tail_lines_and_a_byte_limit_once_its_container_has_started()
    {
        (_, V1Pod pod) = await JobWithPod("logs");
        var waiting = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "default", container: "main"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, waiting.Response.StatusCode);
        Assert.Contains("is waiting to start: ContainerCreating", waiting.Response.Content);

        await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch("""{"status": {"phase": "Running", "containerStatuses": [{"name": "main", "ready": true, "restartCount": 0, "image": "busybox", "imageID": "", "state": {"running": {}}}]}}""", V1Patch.PatchType.MergePatch), pod.Metadata.Name, "default");
        server.SetPodLog("default", pod.Metadata.Name, "one\ntwo\nthree\n");

        async Task<string> Read(int? tailLines, int? limitBytes)
        {
            using var reader = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "default", container: "main", tailLines: tailLines, limitBytes: limitBytes));
            return await reader.ReadToEndAsync();
        }

        Assert.Equal("one\ntwo\nthree\n", await Read(null, null));
        Assert.Equal("two\nthree\n", await Read(2, null));
        Assert.Equal("one\ntw", await Read(null, 6));
        var unknown = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "default", container: "sidecar"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.Response.StatusCode);
    }
}
