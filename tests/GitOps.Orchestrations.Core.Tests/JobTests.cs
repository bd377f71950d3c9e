using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Jobs;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>The pure parts of job and script steps: names, the Job built, the state read back, and what validation sees.</summary>
public class JobTests
{
    static JobSettings Settings(string json) => JobSettings.Read(JsonDocument.Parse(json).RootElement);

    static JsonObject Build(string json, string key = "run-1/build/1") =>
        JobManifest.Build(Settings(json), JobNames.For("build", key), JobNames.Labels("run-1", "build"), key).Job;

    [Fact]
    public void A_job_name_is_the_same_for_an_attempt_and_different_for_the_next()
    {
        string first = JobNames.For("build", "run-1/build/1");
        Assert.Equal(first, JobNames.For("build", "run-1/build/1"));
        Assert.NotEqual(first, JobNames.For("build", "run-1/build/2"));
        Assert.NotEqual(first, JobNames.For("build", "run-1/build/0/1"));
        Assert.Matches("^build-[0-9a-f]{10}$", first);
    }

    [Theory]
    [InlineData("a-node-name-that-goes-on-and-on-and-on-well-past-the-limit-of-names")]
    [InlineData("Under_Scores.And.Dots")]
    [InlineData("___")]
    public void A_job_name_is_a_short_dns_label_whatever_the_node(string node)
    {
        string name = JobNames.For(node, $"run/{node}/1");
        Assert.InRange(name.Length, 1, JobNames.MaxLength);
        Assert.Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", name);
    }

    [Theory]
    [InlineData("run-1", "run-1")]
    [InlineData("hello-dag-2026-11-30T15:04:05Z", "hello-dag-2026-11-30T15-04-05Z")]
    [InlineData("-._x_.-", "x")]
    public void Label_values_keep_to_the_label_alphabet(string text, string expected) =>
        Assert.Equal(expected, JobNames.LabelValue(text));

    [Fact]
    public void The_job_runs_one_container_once_as_a_non_root_user_with_its_deadline_and_ttl()
    {
        JsonObject job = Build("""{"image": "builder:1", "command": ["make"], "args": ["release"]}""");
        JsonNode spec = job["spec"]!;
        Assert.Equal(0, (int)spec["backoffLimit"]!);
        Assert.Equal(JobDefaults.ActiveDeadlineSeconds, (int)spec["activeDeadlineSeconds"]!);
        Assert.Equal(JobDefaults.TtlSecondsAfterFinished, (int)spec["ttlSecondsAfterFinished"]!);
        JsonNode pod = spec["template"]!["spec"]!;
        Assert.Equal("Never", (string?)pod["restartPolicy"]);
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal(JobDefaults.RunAsUser, (long)pod["securityContext"]!["runAsUser"]!);
        JsonNode container = Assert.Single(pod["containers"]!.AsArray())!;
        Assert.Equal("main", (string?)container["name"]);
        Assert.Equal("""["make"]""", container["command"]!.ToJsonString());
        Assert.Equal("""["release"]""", container["args"]!.ToJsonString());
        Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.Equal("run-1/build/1", (string?)job["metadata"]!["annotations"]![JobNames.StepAnnotation]);
        Assert.Equal("gitops-orchestrations", (string?)spec["template"]!["metadata"]!["labels"]![JobNames.ManagedByLabel]);
    }

    [Fact]
    public void A_security_context_overrides_the_defaults_field_by_field()
    {
        JsonNode context = Build("""{"image": "x", "securityContext": {"runAsNonRoot": false, "runAsUser": "0"}}""")["spec"]!["template"]!["spec"]!["securityContext"]!;
        Assert.False((bool)context["runAsNonRoot"]!);
        Assert.Equal(0, (long)context["runAsUser"]!);
        Assert.Equal("RuntimeDefault", (string?)context["seccompProfile"]!["type"]);
    }

    [Fact]
    public void Env_values_are_written_or_referenced_and_secrets_are_only_ever_referenced()
    {
        JsonNode container = Build("""{"image": "x", "env": {"B": "two", "A": 1, "TOKEN": {"secretKeyRef": {"name": "creds", "key": "token"}}}}""")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal(
            """[{"name":"A","value":"1"},{"name":"B","value":"two"},{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"creds","key":"token"}}}]""",
            container["env"]!.ToJsonString());
    }

    [Fact]
    public void Volumes_mount_config_maps_secrets_and_empty_dirs()
    {
        JsonNode pod = Build("""
            {"image": "x", "volumes": [
              {"name": "conf", "mountPath": "/etc/app", "configMap": "app-conf", "readOnly": true},
              {"name": "keys", "mountPath": "/keys", "secret": "app-keys"},
              {"name": "scratch", "mountPath": "/work", "emptyDir": {"sizeLimit": "1Gi"}}]}
            """)["spec"]!["template"]!["spec"]!;
        Assert.Equal(
            """[{"name":"conf","configMap":{"name":"app-conf"}},{"name":"keys","secret":{"secretName":"app-keys"}},{"name":"scratch","emptyDir":{"sizeLimit":"1Gi"}}]""",
            pod["volumes"]!.ToJsonString());
        Assert.Equal("/etc/app", (string?)pod["containers"]![0]!["volumeMounts"]![0]!["mountPath"]);
        Assert.True((bool)pod["containers"]![0]!["volumeMounts"]![0]!["readOnly"]!);
    }

    [Fact]
    public void A_file_result_becomes_the_containers_termination_message_path()
    {
        JsonNode container = Build("""{"image": "x", "result": {"path": "/tmp/out.json"}}""")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("/tmp/out.json", (string?)container["terminationMessagePath"]);
    }

    [Fact]
    public void A_script_runs_its_mounted_source_with_its_interpreter()
    {
        JobObjects objects = JobManifest.Build(Settings("""{"image": "python:3", "command": ["python3", "-u"], "args": ["--fast"], "source": "print(1)\n"}"""), "s-1", JobNames.Labels("r", "s"), "r/s/1");
        JsonNode container = objects.Job["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("""["python3","-u"]""", container["command"]!.ToJsonString());
        Assert.Equal("""["/gitops/script/source","--fast"]""", container["args"]!.ToJsonString());
        Assert.Equal("print(1)\n", (string?)objects.Source!["data"]!["source"]);
        Assert.Equal("s-1", (string?)objects.Job["spec"]!["template"]!["spec"]!["volumes"]![0]!["configMap"]!["name"]);

        JsonNode shell = JobManifest.Build(Settings("""{"image": "alpine", "source": "echo hi"}"""), "s-2", JobNames.Labels("r", "s"), "r/s/1").Job["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("""["sh"]""", shell["command"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"image": " "}""", "with.image is empty")]
    [InlineData("""{"image": "x", "activeDeadlineSeconds": 0}""", "activeDeadlineSeconds must be at least 1")]
    [InlineData("""{"image": "x", "logTailBytes": 999999999}""", "logTailBytes must be between")]
    [InlineData("""{"image": "x", "result": {"path": "out.json"}}""", "must be an absolute path")]
    [InlineData("""{"image": "x", "volumes": [{"name": "v", "mountPath": "/v", "secret": "s", "configMap": "c"}]}""", "exactly one of configMap, secret or emptyDir")]
    public void Settings_that_templating_cannot_fix_are_refused_before_a_job_is_made(string json, string problem) =>
        Assert.Contains(Settings(json).Problems(), p => p.Contains(problem, StringComparison.Ordinal));

    [Fact]
    public void A_templated_value_of_the_wrong_type_names_its_field() =>
        Assert.Contains("with.activeDeadlineSeconds", Assert.Throws<FormatException>(() => Settings("""{"image": "x", "activeDeadlineSeconds": "soon"}""")).Message);

    static JobState Observe(string job, params string[] pods) =>
        JobStates.Observe((JsonObject)JsonNode.Parse(job)!, pods.Select(p => (JsonObject)JsonNode.Parse(p)!).ToList());

    const string Running = """{"status": {"active": 1}}""";

    static string Pod(string status) => $$"""{"metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"}, "status": {{status}}}""";

    static string Container(string state) => $$"""{"containerStatuses": [{"name": "main", "state": {{state}}}]}""";

    public static TheoryData<string, string[], JobPhase, string?, int?> States => new()
    {
        { Running, [], JobPhase.Pending, "NoPod", null },
        { Running, [Pod("""{"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes"}]}""")], JobPhase.Pending, "Unschedulable", null },
        { Running, [Pod(Container("""{"waiting": {"reason": "ImagePullBackOff", "message": "Back-off"}}"""))], JobPhase.Pending, "ImagePullBackOff", null },
        { Running, [Pod(Container("""{"waiting": {"reason": "ErrImagePull"}}"""))], JobPhase.Pending, "ErrImagePull", null },
        { Running, [Pod(Container("""{"waiting": {"reason": "ContainerCreating"}}"""))], JobPhase.Pending, "ContainerCreating", null },
        { Running, [Pod(Container("""{"waiting": {"reason": "InvalidImageName"}}"""))], JobPhase.Errored, "InvalidImageName", null },
        { Running, [Pod(Container("""{"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"x\" not found"}}"""))], JobPhase.Errored, "CreateContainerConfigError", null },
        { Running, [Pod(Container("""{"running": {"startedAt": "2026-01-01T00:00:01Z"}}"""))], JobPhase.Running, null, null },
        { Running, [Pod(Container("""{"terminated": {"exitCode": 0}}"""))], JobPhase.Running, null, null },
        { """{"status": {"conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True", "reason": "CompletionsReached"}]}}""", [Pod(Container("""{"terminated": {"exitCode": 0}}"""))], JobPhase.Succeeded, "CompletionsReached", 0 },
        { """{"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}}""", [Pod(Container("""{"terminated": {"exitCode": 2}}"""))], JobPhase.Failed, "BackoffLimitExceeded", 2 },
        { """{"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "DeadlineExceeded"}]}}""", [], JobPhase.Errored, "DeadlineExceeded", null },
        { """{"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}}""", [Pod("""{"phase": "Failed", "reason": "Evicted", "message": "low on memory"}""")], JobPhase.Errored, "BackoffLimitExceeded", null },
        { """{"status": {"conditions": [{"type": "Failed", "status": "False"}]}}""", [Pod(Container("""{"running": {}}"""))], JobPhase.Running, null, null },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void The_state_of_a_job_is_read_from_its_documented_status_fields(string job, string[] pods, JobPhase phase, string? reason, int? exitCode)
    {
        JobState state = Observe(job, pods);
        Assert.Equal(phase, state.Phase);
        Assert.Equal(reason, state.Reason);
        Assert.Equal(exitCode, state.ExitCode);
    }

    [Fact]
    public void A_result_file_comes_back_as_the_termination_message() =>
        Assert.Equal("{\"a\":1}", Observe("""{"status": {"conditions": [{"type": "Complete", "status": "True"}]}}""", Pod(Container("""{"terminated": {"exitCode": 0, "message": "{\"a\":1}"}}"""))).TerminationMessage);

    [Fact]
    public void Validation_points_at_a_misspelt_key_deep_inside_a_job()
    {
        string[] errors = Load.Errors(Load.Workflow("""
                - name: build
                  uses: job
                  with:
                    image: builder:1
                    volumes:
                      - {name: conf, mountPath: /etc/app, configMap: app}
                      - name: keys
                        mountpath: /keys
                        secret: app-keys
                    env:
                      TOKEN: {secretKeyRef: {name: creds}}
            """));
        Assert.Contains("wf.yaml:13:13: error: with.volumes[1].mountpath: unknown field 'mountpath' (allowed: configMap, emptyDir, mountPath, name, readOnly, secret)", errors);
        Assert.Contains("wf.yaml:12:13: error: with.volumes[1]: is missing required field 'mountPath'", errors);
        Assert.Contains("wf.yaml:16:19: error: with.env.TOKEN.secretKeyRef: is missing required field 'key'", errors);
    }

    [Fact]
    public void Validation_reports_an_empty_script_and_a_missing_image_where_they_are()
    {
        string[] errors = Load.Errors(Load.Workflow("""
                - name: a
                  uses: script
                  with: {image: alpine, source: "  "}
                - name: b
                  uses: script
                  with: {source: "echo hi"}
                - name: c
                  uses: job
                  with: {image: ""}
                - name: d
                  uses: script
                  with:
                    image: alpine
                    source: echo {{params.x}}
            """));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:38: error: with.source: is empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:11:13: error: 'script' task is missing required field with.image", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:14:22: error: with.image: is empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:19:17: error: with.source: must be written out here, not templated", StringComparison.Ordinal));
    }

    [Fact]
    public void A_step_that_reads_a_secret_names_its_image_and_its_references_in_the_workflow()
    {
        string[] errors = Load.Errors(Load.Workflow("""
                - name: a
                  uses: job
                  with:
                    image: "registry.local/tool:{{params.version}}"
                    env:
                      TOKEN: {secretKeyRef: {name: "{{params.secret}}", key: token}}
                    serviceAccountName: "{{params.account}}"
                - name: b
                  uses: job
                  with:
                    image: "registry.local/tool:{{params.version}}"
                    env: {GREETING: "hello {{params.version}}"}
            """, "  params: [{name: version}, {name: secret}, {name: account}]\n"));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:10:9: error: with.image: a step that reads a Secret must name its image here", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:12:11: error: with.env.TOKEN: a Secret or ConfigMap reference must be written here", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:13:30: error: with.serviceAccountName: must be written out here", StringComparison.Ordinal));

        // Without a Secret, a templated image is what a release pipeline needs.
        Assert.DoesNotContain(errors, e => e.StartsWith("wf.yaml:17:", StringComparison.Ordinal) || e.StartsWith("wf.yaml:18:", StringComparison.Ordinal));
    }
}
