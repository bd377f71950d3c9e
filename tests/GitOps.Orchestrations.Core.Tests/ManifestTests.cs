using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Tests;

public sealed class ManifestTests
{
    static IReadOnlyList<Manifest> Read(string yaml, string file = "m.yaml")
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<Manifest> manifests = ManifestReader.Read(file, yaml, diagnostics);
        Assert.Empty(diagnostics);
        return manifests;
    }

    const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, annotations: {z: "1", a: "2"}}
        spec:
          replicas: 2
          template:
            spec:
              initContainers: [{name: migrate, image: "registry:5000/api:1.0"}]
              containers: [{name: api, image: "registry:5000/api:1.0"}, {name: proxy, image: envoy@sha256:abc}]
        """;

    [Fact]
    public void Missing_fields_are_reported_with_their_position_and_nothing_is_returned()
    {
        IReadOnlyList<Manifest> manifests = Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: v1\nmetadata: {name: y}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");
        var error = Assert.Throws<ManifestException>(() => ManifestSet.Build(manifests, ManifestOverrides.None));
        Assert.Equal(["m.yaml:5:1: apiVersion is missing", "m.yaml:8:1: kind is missing", "m.yaml:11:1: metadata.name is missing"], error.Errors);
    }

    [Fact]
    public void Duplicates_are_refused_and_name_both_places()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestSet.Build(Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n"), ManifestOverrides.None));
        Assert.Equal("ConfigMap/n/a is defined 2 times: m.yaml:1:1, m.yaml:5:1", Assert.Single(error.Errors));
    }

    [Fact]
    public void A_document_that_is_not_a_mapping_is_an_error_at_its_position()
    {
        var diagnostics = new List<Diagnostic>();
        ManifestReader.Read("m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n", diagnostics);
        Assert.Equal("m.yaml:5:1: error: a manifest must be a mapping with apiVersion, kind and metadata", Assert.Single(diagnostics).ToString());
    }

    [Fact]
    public void Lists_are_flattened_and_empty_documents_skipped()
    {
        IReadOnlyList<Manifest> manifests = Read("---\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n  - {apiVersion: v1, kind: Secret, metadata: {name: b}}\n");
        Assert.Equal(["a", "b"], manifests.Select(m => m.Name));
    }

    [Fact]
    public void Output_is_normalized_ordered_and_byte_identical_whatever_the_input_order()
    {
        const string a = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: x}\ndata: {k: v}\n";
        const string b = "kind: Namespace\napiVersion: v1\nmetadata: {name: x}\n";
        const string c = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\nspec: {group: example.com, scope: Namespaced, names: {kind: W, plural: ws}, versions: [{name: v1}]}\n";
        const string d = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: ignored}\n";
        ManifestSet one = ManifestSet.Build(Read(string.Join("---\n", a, b, c, d)), ManifestOverrides.None);
        ManifestSet two = ManifestSet.Build(Read(string.Join("---\n", d, c, a, b)), ManifestOverrides.None);
        Assert.Equal(one.Yaml, two.Yaml);
        Assert.Equal(one.Digest, two.Digest);
        Assert.Equal(["Namespace", "CustomResourceDefinition", "ClusterRole", "ConfigMap"], one.Objects.Select(o => o.Kind));
        Assert.Null(one.Objects[2].Namespace);
        Assert.StartsWith("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n", one.Yaml);
    }

    [Fact]
    public void Strings_that_look_like_other_types_stay_quoted()
    {
        ManifestSet set = ManifestSet.Build(Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {enabled: \"true\", port: \"8080\", text: \"line1\\nline2\", plain: hello}\n"), ManifestOverrides.None);
        Assert.Contains("enabled: \"true\"", set.Yaml);
        Assert.Contains("port: \"8080\"", set.Yaml);
        Assert.Contains("plain: hello", set.Yaml);
        var reread = ManifestSet.Build(Read(set.Yaml), ManifestOverrides.None);
        Assert.Equal(set.Yaml, reread.Yaml);
    }

    [Fact]
    public void Sync_waves_order_first_and_must_be_integers()
    {
        string Wave(string name, string wave) => $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, annotations: {{argocd.argoproj.io/sync-wave: \"{wave}\"}}}}\n";
        ManifestSet set = ManifestSet.Build(Read(string.Join("---\n", Wave("late", "2"), Wave("early", "-1"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n")), ManifestOverrides.None);
        Assert.Equal(["early", "n", "late"], set.Objects.Select(o => o.Name));
        var error = Assert.Throws<ManifestException>(() => ManifestSet.Build(Read(Wave("bad", "soon")), ManifestOverrides.None));
        Assert.Contains("sync-wave 'soon' is not an integer", error.Message);
    }

    [Fact]
    public void Namespace_override_sets_namespaced_objects_only()
    {
        ManifestSet set = ManifestSet.Build(Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: old}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n"), new ManifestOverrides { Namespace = "prod" });
        Assert.Equal("prod", set.Objects.Single(o => o.Kind == "ConfigMap").Namespace);
        Assert.Null(set.Objects.Single(o => o.Kind == "Namespace").Namespace);
    }

    [Theory]
    [InlineData("registry:5000/api=registry:5000/api:2.0", "registry:5000/api:2.0", "envoy@sha256:abc")]
    [InlineData("registry:5000/api:3.1", "registry:5000/api:3.1", "envoy@sha256:abc")]
    [InlineData("registry:5000/api=mirror/api@sha256:def", "mirror/api@sha256:def", "envoy@sha256:abc")]
    [InlineData("envoy=envoy:1.30", "registry:5000/api:1.0", "envoy:1.30")]
    public void Image_overrides_rewrite_containers_and_init_containers(string rule, string api, string proxy)
    {
        Manifest deployment = Read(Deployment)[0];
        ImageOverride.Apply(deployment, [ImageOverride.Parse(rule)]);
        JsonNode spec = deployment.Body["spec"]!["template"]!["spec"]!;
        Assert.Equal(api, (string?)spec["containers"]![0]!["image"]);
        Assert.Equal(api, (string?)spec["initContainers"]![0]!["image"]);
        Assert.Equal(proxy, (string?)spec["containers"]![1]!["image"]);
    }

    [Fact]
    public void A_malformed_image_override_is_an_error()
    {
        Assert.Throws<FormatException>(() => ImageOverride.Parse("=x"));
        Assert.Throws<FormatException>(() => ImageOverride.Parse("justaname"));
    }

    [Fact]
    public void Digest_ignores_field_order_and_the_digest_annotation()
    {
        Manifest a = Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1', y: '2'}\n")[0];
        Manifest b = Read("kind: ConfigMap\ndata: {y: '2', x: '1'}\napiVersion: v1\nmetadata: {name: a}\n")[0];
        Assert.Equal(a.Digest(), b.Digest());
        b.SetAnnotation(Manifest.DigestAnnotation, "sha256:whatever");
        Assert.Equal(a.Digest(), b.Digest());
        b.Body["data"]!["x"] = "3";
        Assert.NotEqual(a.Digest(), b.Digest());
    }

    [Fact]
    public void Differences_compare_only_what_the_desired_object_sets_and_honour_ignores()
    {
        var desired = JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"app":"a"}},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"a","image":"a:1"}]}}}}""")!.AsObject();
        var live = JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","uid":"u","labels":{"app":"a","extra":"x"}},"spec":{"replicas":5,"revisionHistoryLimit":10,"template":{"spec":{"containers":[{"name":"a","image":"a:2","imagePullPolicy":"IfNotPresent"}]}}},"status":{"replicas":5}}""")!.AsObject();
        Assert.Equal(["/spec/replicas", "/spec/template/spec/containers/0/image"], ObjectDiff.Differences(desired, live));
        Assert.Equal(["/spec/template/spec/containers/0/image"], ObjectDiff.Differences(desired, live, ["/spec/replicas"]));
        Assert.Equal(["/"], ObjectDiff.Differences(desired, null));
        Assert.Equal("/metadata/annotations/a~1b", ObjectDiff.Differences(
            JsonNode.Parse("""{"metadata":{"annotations":{"a/b":"1"}}}""")!.AsObject(), JsonNode.Parse("""{"metadata":{"annotations":{}}}""")!.AsObject()).Single());
    }

    [Fact]
    public void Text_diff_shows_changed_lines_with_context()
    {
        string diff = TextDiff.Unified("a\nb\nc\nd\ne\nf\ng\nh\ni\n", "a\nb\nc\nd\nE\nf\ng\nh\ni\n", "live", "desired");
        Assert.Equal("--- live\n+++ desired\n b\n c\n d\n-e\n+E\n f\n g\n h\n", diff);
        Assert.Equal(string.Empty, TextDiff.Unified("same\n", "same\n", "a", "b"));
    }
}
