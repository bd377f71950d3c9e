using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Policies;

namespace GitOps.Orchestrations.Core.Tests.Policies;

/// <summary>The anchors Kyverno documents, each with an object that passes and one that does not.</summary>
public sealed class PatternAnchorTests
{
    [Theory]
    // A plain field must be there and match.
    [InlineData("""{"spec":{"replicas":">1"}}""", """{"spec":{"replicas":3}}""", PatternOutcome.Pass, "")]
    [InlineData("""{"spec":{"replicas":">1"}}""", """{"spec":{}}""", PatternOutcome.Fail, "spec.replicas")]
    // Conditional: only the element whose name is web must use a web image; the others are skipped.
    [InlineData("""{"spec":{"containers":[{"(name)":"web","image":"web:*"}]}}""", """{"spec":{"containers":[{"name":"web","image":"web:1"},{"name":"side","image":"x"}]}}""", PatternOutcome.Pass, "")]
    [InlineData("""{"spec":{"containers":[{"(name)":"web","image":"web:*"}]}}""", """{"spec":{"containers":[{"name":"side","image":"x"},{"name":"web","image":"other"}]}}""", PatternOutcome.Fail, "spec.containers[1].image")]
    // Conditional on a map: where it does not hold, the object is not checked.
    [InlineData("""{"metadata":{"(labels)":{"tier":"db"}},"spec":{"replicas":1}}""", """{"metadata":{"labels":{"tier":"web"}},"spec":{"replicas":5}}""", PatternOutcome.Skip, "")]
    // Equality: checked where present.
    [InlineData("""{"spec":{"=(hostNetwork)":false}}""", """{"spec":{}}""", PatternOutcome.Pass, "")]
    [InlineData("""{"spec":{"=(hostNetwork)":false}}""", """{"spec":{"hostNetwork":false}}""", PatternOutcome.Pass, "")]
    [InlineData("""{"spec":{"=(hostNetwork)":false}}""", """{"spec":{"hostNetwork":true}}""", PatternOutcome.Fail, "spec.hostNetwork")]
    // Negation: must be absent.
    [InlineData("""{"spec":{"X(hostPID)":"null"}}""", """{"spec":{}}""", PatternOutcome.Pass, "")]
    [InlineData("""{"spec":{"X(hostPID)":"null"}}""", """{"spec":{"hostPID":false}}""", PatternOutcome.Fail, "spec.hostPID")]
    // Existence: some element matches.
    [InlineData("""{"spec":{"^(containers)":[{"image":"*:1.*"}]}}""", """{"spec":{"containers":[{"image":"a:2"},{"image":"b:1.4"}]}}""", PatternOutcome.Pass, "")]
    [InlineData("""{"spec":{"^(containers)":[{"image":"*:1.*"}]}}""", """{"spec":{"containers":[{"image":"a:2"}]}}""", PatternOutcome.Fail, "spec.containers")]
    // Global: images from corp.io need a pull secret; anything else skips the rule.
    [InlineData("""{"spec":{"containers":[{"<(image)":"corp.io/*"}],"imagePullSecrets":[{"name":"?*"}]}}""", """{"spec":{"containers":[{"image":"docker.io/x"}]}}""", PatternOutcome.SkipRule, "")]
    [InlineData("""{"spec":{"containers":[{"<(image)":"corp.io/*"}],"imagePullSecrets":[{"name":"?*"}]}}""", """{"spec":{"containers":[{"image":"corp.io/x"}]}}""", PatternOutcome.Fail, "spec.imagePullSecrets")]
    [InlineData("""{"spec":{"imagePullSecrets":[{"name":"?*"}],"containers":[{"<(image)":"corp.io/*"}]}}""", """{"spec":{"containers":[{"image":"docker.io/x"}]}}""", PatternOutcome.SkipRule, "")]
    [InlineData("""{"spec":{"containers":[{"<(image)":"corp.io/*"}],"imagePullSecrets":[{"name":"?*"}]}}""", """{"spec":{"containers":[{"image":"corp.io/x"}],"imagePullSecrets":[{"name":"pull"}]}}""", PatternOutcome.Pass, "")]
    // A null pattern: absent or null.
    [InlineData("""{"spec":{"nodeName":null}}""", """{"spec":{}}""", PatternOutcome.Pass, "")]
    [InlineData("""{"spec":{"nodeName":null}}""", """{"spec":{"nodeName":"n1"}}""", PatternOutcome.Fail, "spec.nodeName")]
    public void Anchors(string pattern, string obj, PatternOutcome expected, string path)
    {
        using JsonDocument p = JsonDocument.Parse(pattern);
        PatternResult result = PatternMatcher.Match(JsonNode.Parse(obj), p.RootElement);
        Assert.Equal(expected, result.Outcome);
        Assert.Equal(path, result.Path);
    }

    [Fact]
    public void A_failure_never_quotes_the_objects_value()
    {
        using JsonDocument p = JsonDocument.Parse("""{"data":{"password":"?*&<4"}}""");
        PatternResult result = PatternMatcher.Match(JsonNode.Parse("""{"data":{"password":"hunter2-secret"}}"""), p.RootElement);
        Assert.Equal(PatternOutcome.Fail, result.Outcome);
        Assert.DoesNotContain("hunter2", result.Reason);
    }

    [Theory]
    [InlineData("""{"metadata":{"labels":{"+(team)":"platform"}}}""", """{"metadata":{"labels":{"app":"a"}}}""", """{"metadata":{"labels":{"app":"a","team":"platform"}}}""", true)]
    [InlineData("""{"metadata":{"labels":{"+(team)":"platform"}}}""", """{"metadata":{"labels":{"team":"payments"}}}""", """{"metadata":{"labels":{"team":"payments"}}}""", false)]
    [InlineData("""{"metadata":{"labels":{"team":"platform"}}}""", """{"metadata":{"name":"x"}}""", """{"metadata":{"name":"x","labels":{"team":"platform"}}}""", true)]
    [InlineData("""{"spec":{"containers":[{"(name)":"*","imagePullPolicy":"IfNotPresent"}]}}""", """{"spec":{"containers":[{"name":"a"},{"name":"b","imagePullPolicy":"Always"}]}}""", """{"spec":{"containers":[{"name":"a","imagePullPolicy":"IfNotPresent"},{"name":"b","imagePullPolicy":"IfNotPresent"}]}}""", true)]
    [InlineData("""{"spec":{"containers":[{"name":"b","image":"b:2"}]}}""", """{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}""", """{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}}""", true)]
    [InlineData("""{"metadata":{"annotations":{"drop":null}}}""", """{"metadata":{"annotations":{"drop":"x","keep":"y"}}}""", """{"metadata":{"annotations":{"keep":"y"}}}""", true)]
    [InlineData("""{"(metadata)":{"labels":{"tier":"db"}},"spec":{"replicas":1}}""", """{"metadata":{"labels":{"tier":"web"}},"spec":{"replicas":3}}""", """{"metadata":{"labels":{"tier":"web"}},"spec":{"replicas":3}}""", false)]
    public void Strategic_merge_patches(string patch, string obj, string expected, bool changed)
    {
        using JsonDocument p = JsonDocument.Parse(patch);
        var target = (JsonObject)JsonNode.Parse(obj)!;
        Assert.Equal(changed, StrategicMerge.Apply(target, p.RootElement));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), target), target.ToJsonString());
    }

    [Theory]
    [InlineData("{{ request.object.metadata.name }}", "\"web\"")]
    [InlineData("{{request.object.spec.containers[].image}}", "[\"a:1\",\"b:2\"]")]
    [InlineData("{{ request.object.spec.containers[1].name }}", "\"b\"")]
    [InlineData("{{ request.object.metadata.labels.\"app.kubernetes.io/name\" }}", "\"shop\"")]
    [InlineData("{{ request.object.spec.missing }}", "null")]
    [InlineData("name={{ request.object.metadata.name }}", "\"name=web\"")]
    public void Variables_read_the_object(string text, string expected)
    {
        var obj = (JsonObject)JsonNode.Parse("""{"metadata":{"name":"web","labels":{"app.kubernetes.io/name":"shop"}},"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}}""")!;
        Assert.Null(PolicyVariables.Problem(text));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), PolicyVariables.Resolve(text, obj)));
    }

    [Theory]
    [InlineData("{{ request.userInfo.username }}")]
    [InlineData("{{ request.object.spec.containers[].image | length(@) }}")]
    [InlineData("{{ request.object.spec.containers[?name=='a'] }}")]
    [InlineData("{{ request.object.metadata.name")]
    public void Variables_this_engine_cannot_answer_are_refused(string text) => Assert.NotNull(PolicyVariables.Problem(text));

    [Fact]
    public void A_message_never_carries_a_secrets_data()
    {
        var secret = (JsonObject)JsonNode.Parse("""{"kind":"Secret","metadata":{"name":"db"},"data":{"password":"aHVudGVyMg=="}}""")!;
        string message = PolicyVariables.Message("{{ request.object.metadata.name }} leaks {{ request.object.data.password }}", secret);
        Assert.StartsWith("db leaks ", message);
        Assert.DoesNotContain("aHVudGVyMg==", message);
    }

    [Theory]
    [InlineData("Equals", "\"{{ request.object.spec.replicas }}\"", "3", true)]
    [InlineData("NotEquals", "\"{{ request.object.spec.replicas }}\"", "3", false)]
    [InlineData("GreaterThan", "\"{{ request.object.spec.replicas }}\"", "2", true)]
    [InlineData("LessThanOrEquals", "\"{{ request.object.spec.replicas }}\"", "2", false)]
    [InlineData("AnyIn", "\"{{ request.object.spec.containers[].securityContext.privileged }}\"", "[true]", true)]
    [InlineData("AllIn", "\"{{ request.object.spec.containers[].name }}\"", "[\"a\",\"b\",\"c\"]", true)]
    [InlineData("AllIn", "\"{{ request.object.spec.containers[].name }}\"", "[\"a\"]", false)]
    [InlineData("AnyNotIn", "\"{{ request.object.spec.containers[].name }}\"", "[\"a\"]", true)]
    [InlineData("AllNotIn", "\"{{ request.object.spec.containers[].name }}\"", "[\"x\",\"y\"]", true)]
    [InlineData("AnyIn", "\"{{ request.object.metadata.namespace }}\"", "[\"kube-*\"]", true)]
    public void Conditions(string op, string key, string value, bool holds)
    {
        var obj = (JsonObject)JsonNode.Parse("""{"metadata":{"namespace":"kube-system"},"spec":{"replicas":3,"containers":[{"name":"a","securityContext":{"privileged":true}},{"name":"b"}]}}""")!;
        using JsonDocument k = JsonDocument.Parse(key), v = JsonDocument.Parse(value);
        Assert.Equal(holds, ConditionEvaluator.Holds(new PolicyCondition(k.RootElement.Clone(), op, v.RootElement.Clone()), obj));
    }
}
