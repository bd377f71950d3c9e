using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Editing;
using GitOps.Orchestrations.Core.Manifests;

namespace GitOps.Orchestrations.Core.Tests;

public sealed class HealthAndEditTests
{
    static JsonObject Object(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData("""{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":1,"updatedReplicas":2,"availableReplicas":2,"replicas":2}}""", HealthStatus.Progressing)]
    [InlineData("""{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"updatedReplicas":1,"availableReplicas":2,"replicas":3}}""", HealthStatus.Progressing)]
    [InlineData("""{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"updatedReplicas":2,"availableReplicas":1,"replicas":2}}""", HealthStatus.Progressing)]
    [InlineData("""{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"updatedReplicas":2,"availableReplicas":2,"replicas":2}}""", HealthStatus.Healthy)]
    [InlineData("""{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded"}]}}""", HealthStatus.Degraded)]
    public void Deployments_are_healthy_once_the_new_generation_is_rolled_out(string json, HealthStatus expected)
    {
        JsonObject deployment = Object(json);
        deployment["apiVersion"] = "apps/v1";
        deployment["kind"] = "Deployment";
        Assert.Equal(expected, HealthRules.Evaluate(deployment).Status);
    }

    [Theory]
    [InlineData("batch/v1", "Job", """{"conditions":[{"type":"Complete","status":"True"}]}""", HealthStatus.Healthy)]
    [InlineData("batch/v1", "Job", """{"conditions":[{"type":"Failed","status":"True","message":"BackoffLimitExceeded"}]}""", HealthStatus.Degraded)]
    [InlineData("batch/v1", "Job", """{"active":1}""", HealthStatus.Progressing)]
    [InlineData("apps/v1", "StatefulSet", """{"observedGeneration":1,"readyReplicas":1,"currentRevision":"a","updateRevision":"b"}""", HealthStatus.Progressing)]
    [InlineData("apps/v1", "DaemonSet", """{"observedGeneration":1,"desiredNumberScheduled":3,"updatedNumberScheduled":3,"numberAvailable":3}""", HealthStatus.Healthy)]
    [InlineData("example.com/v1", "Widget", """{"conditions":[{"type":"Ready","status":"False"}]}""", HealthStatus.Progressing)]
    [InlineData("example.com/v1", "Widget", """{"conditions":[{"type":"Ready","status":"True"}]}""", HealthStatus.Healthy)]
    [InlineData("v1", "ConfigMap", "{}", HealthStatus.Healthy)]
    [InlineData("bitnami.com/v1alpha1", "SealedSecret", "{}", HealthStatus.Progressing)]
    [InlineData("bitnami.com/v1alpha1", "SealedSecret", """{"conditions":[{"type":"Synced","status":"True"}]}""", HealthStatus.Healthy)]
    [InlineData("bitnami.com/v1alpha1", "SealedSecret", """{"observedGeneration":0,"conditions":[{"type":"Synced","status":"True"}]}""", HealthStatus.Progressing)]
    [InlineData("bitnami.com/v1alpha1", "SealedSecret", """{"conditions":[{"type":"Synced","status":"False","message":"no key could decrypt secret (password)"}]}""", HealthStatus.Degraded)]
    [InlineData("database.example.org/v1alpha1", "PostgreSQLInstance", """{"conditions":[{"type":"Synced","status":"True"},{"type":"Ready","status":"False","reason":"Creating"}]}""", HealthStatus.Progressing)]
    [InlineData("database.example.org/v1alpha1", "PostgreSQLInstance", """{"conditions":[{"type":"Synced","status":"True"},{"type":"Ready","status":"True","reason":"Available"}]}""", HealthStatus.Healthy)]
    [InlineData("database.example.org/v1alpha1", "PostgreSQLInstance", """{"conditions":[{"type":"Synced","status":"False","reason":"ReconcileError","message":"cannot compose resources: no composition"},{"type":"Ready","status":"False"}]}""", HealthStatus.Degraded)]
    public void Other_kinds_follow_their_own_rule(string apiVersion, string kind, string status, HealthStatus expected)
    {
        JsonObject live = Object($$"""{"apiVersion":"{{apiVersion}}","kind":"{{kind}}","metadata":{"generation":1},"spec":{"replicas":1},"status":{{status}}}""");
        Assert.Equal(expected, HealthRules.Evaluate(live).Status);
    }

    [Fact]
    public void A_reconcile_error_is_degraded_with_the_controllers_message()
    {
        JsonObject claim = Object("""{"apiVersion":"database.example.org/v1alpha1","kind":"PostgreSQLInstance","metadata":{"generation":1},"status":{"conditions":[{"type":"Synced","status":"False","reason":"ReconcileError","message":"cannot compose resources: no composition"}]}}""");
        (HealthStatus status, string message) = HealthRules.Evaluate(claim);
        Assert.Equal(HealthStatus.Degraded, status);
        Assert.Equal("Synced is False (ReconcileError): cannot compose resources: no composition", message);
    }

    const string Values = """
        # environment values: edited by the pipeline
        image:
          repository: registry.local/api   # keep the registry
          tag: "1.2.3"
        replicas: 3
        images:
          - name: web
            tag: 1.0.0
          - name: api
            tag: 'v1'
        """;

    [Fact]
    public void A_yaml_path_edit_changes_one_value_and_keeps_comments_quoting_and_layout()
    {
        string edited = YamlPathEdit.Set(Values, "image.tag", "1.2.4");
        Assert.Equal(Values.Replace("tag: \"1.2.3\"", "tag: \"1.2.4\""), edited);
        Assert.Equal(Values.Replace("replicas: 3", "replicas: 5"), YamlPathEdit.Set(Values, "replicas", "5"));
        Assert.Equal(Values.Replace("tag: 'v1'", "tag: 'v2'"), YamlPathEdit.Set(Values, "images[name=api].tag", "v2"));
        Assert.Equal(Values.Replace("tag: 1.0.0", "tag: 1.1.0"), YamlPathEdit.Set(Values, "images[0].tag", "1.1.0"));
        Assert.Equal("1.2.3", YamlPathEdit.Get(Values, "image.tag"));
    }

    [Fact]
    public void A_string_that_would_read_as_a_number_or_boolean_is_quoted()
    {
        Assert.Contains("repository: \"true\"", YamlPathEdit.Set(Values, "image.repository", "true"));
        Assert.Contains("repository: \"42\"", YamlPathEdit.Set(Values, "image.repository", "42"));
    }

    [Theory]
    [InlineData("image.digest", "key 'digest' does not exist")]
    [InlineData("image", "leads to a mapping or list")]
    [InlineData("images[name=db].tag", "no list item matches")]
    [InlineData("replicas.count", "needs a mapping")]
    public void A_path_that_does_not_lead_to_a_value_is_an_error(string path, string message)
    {
        var error = Assert.Throws<YamlPathException>(() => YamlPathEdit.Set(Values, path, "x"));
        Assert.Contains(message, error.Message);
    }
}
