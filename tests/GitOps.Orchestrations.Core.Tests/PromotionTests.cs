using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

public sealed class PromotionTests
{
    const string Issue = """
        apiVersion: gitops.orchestrations/v1
        kind: Pipeline
        metadata: {name: api}
        spec:
          sources:
            - name: chart
              helmRepository: {url: http://127.0.0.1:8081/bronze, chart: api, version: "1.2.x"}
            - name: image
              gitTags: {repo: https://example.com/api.git, pattern: "v*", semver: ">=1.0"}
          stages:
            - name: dev
              from: sources
              promotion: {uses: sync, with: {source: {repo: x}}}
              verification: {analysis: {templates: [{name: success-rate}]}, health: true}
              autoPromote: true
            - name: staging
              from: [dev]
              requiredSoakTime: 1h
              promotion: {uses: helm-publish, with: {to: http://127.0.0.1:8081/silver}}
              autoPromote: true
            - name: prod
              from: [staging]
              requiredSoakTime: 24h
              approval: {approvers: [alice, bob, carol], quorum: 2}
              freezeWindows: [{cron: "0 0 * * 5", duration: 72h, timezone: UTC}]
              promotion:
                - {uses: helm-publish, with: {to: http://127.0.0.1:8081/gold}}
                - {uses: http, with: {url: "https://example.com/hooks/released"}}
        """;

    static (IReadOnlyList<PipelineDefinition> Pipelines, List<string> Errors) Load(string yaml)
    {
        LoadResult result = DocumentLoader.Load("p.yaml", yaml, TaskTypeRegistry.BuiltIn());
        return (result.Pipelines, result.Diagnostics.Select(d => d.ToString()).ToList());
    }

    [Theory]
    [InlineData("1.2.x", "1.2.7", true)]
    [InlineData("1.2.x", "1.3.0", false)]
    [InlineData("^1.2", "1.9.0", true)]
    [InlineData("^1.2", "2.0.0", false)]
    [InlineData(">=1.2 <2", "1.2.0", true)]
    [InlineData(">=1.2 <2", "2.0.0", false)]
    [InlineData("1.2.3", "1.2.3", true)]
    [InlineData("1.2.x", "1.2.4-rc.1", false)]
    [InlineData(">=1.0", "v1.4.0", true)]
    [InlineData("1.2.x", "latest", false)]
    public void Version_constraints_read_as_helm_users_write_them(string constraint, string version, bool matches) =>
        Assert.Equal(matches, VersionConstraint.Parse(constraint).Matches(version));

    [Fact]
    public void The_newest_version_is_by_semver_precedence_not_by_text()
    {
        Assert.Equal("1.2.10", VersionConstraint.Parse("1.2.x").Newest(["1.2.9", "1.2.10", "1.3.0", "junk"]));
        Assert.Null(VersionConstraint.Parse("2.x").Newest(["1.2.9"]));
        Assert.False(VersionConstraint.TryParse("one point two", out _, out string? error));
        Assert.Contains("is not a version constraint such as 1.2.3, 1.2.x, ^1.2 or >=1.2 <2", error);
    }

    [Fact]
    public void Freight_is_named_by_its_artifacts_whatever_their_order_and_tags_sort_by_semver()
    {
        var chart = new FreightArtifact("chart", "1.2.3", "aaa");
        var image = new FreightArtifact("image", "v2.0.0", "bbb");
        Assert.Equal(Freight.Of([chart, image]).Id, Freight.Of([image, chart]).Id);
        Assert.NotEqual(Freight.Of([chart, image]).Id, Freight.Of([chart, image with { Pin = "ccc" }]).Id);

        (string, string)[] tags = [("v1.9.0", "a"), ("v1.10.0", "b"), ("nightly", "c"), ("v2.0.0-rc.1", "d")];
        Assert.Equal(("v1.10.0", "b"), TagSelection.Newest(tags, new GitTagsSource("r", "v*", ">=1.0")));
        Assert.Equal(("v2.0.0-rc.1", "d"), TagSelection.Newest(tags, new GitTagsSource("r", "v*", null)));
        Assert.Null(TagSelection.Newest(tags, new GitTagsSource("r", "release-*", null)));
    }

    [Fact]
    public void A_helm_index_is_read_and_a_malformed_one_is_a_positioned_error()
    {
        HelmIndex index = HelmIndex.Parse("bronze/index.yaml", """
            apiVersion: v1
            entries:
              api:
                - {name: api, version: 1.2.9, digest: aaa, urls: [api-1.2.9.tgz]}
                - {name: api, version: 1.2.10, digest: bbb, urls: [api-1.2.10.tgz]}
                - {name: api, version: 1.3.0, digest: ccc, urls: [api-1.3.0.tgz]}
            generated: "2026-11-26T00:00:00Z"
            """);
        ChartVersionEntry newest = index.Newest("api", VersionConstraint.Parse("1.2.x"))!;
        Assert.Equal(("1.2.10", "bbb", "api-1.2.10.tgz"), (newest.Version, newest.Digest, newest.Urls[0]));
        Assert.Empty(index.Versions("web"));

        var broken = Assert.Throws<FormatException>(() => HelmIndex.Parse("gold/index.yaml", "apiVersion: v1\nentries:\n  api:\n    - {name: api, digest: x}\n"));
        // Regenerated, it reads back the same, newest version first.
        HelmIndex again = HelmIndex.Parse("again", index.With(new ChartVersionEntry("api", "1.2.11", "ddd", ["api-1.2.11.tgz"])).Render(DateTimeOffset.UnixEpoch));
        Assert.Equal(new[] { "1.2.10", "1.2.11", "1.2.9", "1.3.0" }, again.Versions("api").Select(v => v.Version).Order(StringComparer.Ordinal));
        Assert.Equal("1.2.11", again.Newest("api", VersionConstraint.Parse("1.2.x"))!.Version);

        Assert.Equal("malformed index.yaml: gold/index.yaml:4:7: error: a version of api needs a version and at least one url", broken.Message);
        Assert.StartsWith("malformed index.yaml: gold/index.yaml:2:1: error: ", Assert.Throws<FormatException>(() => HelmIndex.Parse("gold/index.yaml", "entries: [unclosed\n")).Message);
    }

    [Fact]
    public void A_weekend_freeze_is_open_from_friday_midnight_for_72_hours()
    {
        var weekend = new FreezeWindow("0 0 * * 5", TimeSpan.FromHours(72));
        DateTimeOffset friday = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        Assert.Null(weekend.OpenAt(friday.AddMinutes(-1)));
        Assert.Equal((friday, friday.AddHours(72)), weekend.OpenAt(friday.AddHours(36)));
        Assert.Null(weekend.OpenAt(friday.AddHours(72)));

        // In a timezone the window opens at local midnight.
        var tokyo = new FreezeWindow("0 0 * * 5", TimeSpan.FromHours(1), "Asia/Tokyo");
        Assert.NotNull(tokyo.OpenAt(new DateTimeOffset(2026, 11, 26, 15, 30, 0, TimeSpan.Zero)));

        // A second window opening while the first is open extends the freeze.
        var monday = new FreezeWindow("0 0 * * 1", TimeSpan.FromHours(2));
        Assert.Equal(friday.AddHours(74), FreezeWindow.ClosedAfter([weekend, monday], friday.AddHours(1)));
    }

    [Fact]
    public void The_gate_checks_upstream_then_soak_then_approvals_then_freeze_then_auto_promote()
    {
        DateTimeOffset now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var rules = new StageRules
        {
            RequiredSoakTime = TimeSpan.FromHours(1),
            Approval = new ApprovalPolicy(["alice", "bob"], Quorum: 2),
            FreezeWindows = [new FreezeWindow("0 13 * * *", TimeSpan.FromHours(1))],
            AutoPromote = false,
        };
        GateDecision Decide(DateTimeOffset? verified, string[] approvals, DateTimeOffset at, bool requested = false) =>
            StageGate.Decide(rules, new StageFacts(new Dictionary<string, DateTimeOffset?> { ["staging"] = verified }, approvals, at, requested));

        Assert.Equal(GateState.WaitForUpstream, Decide(null, ["alice", "bob"], now).State);
        GateDecision soaking = Decide(now.AddMinutes(-20), ["alice", "bob"], now);
        Assert.Equal((GateState.Soaking, now.AddMinutes(40)), (soaking.State, soaking.Until));
        Assert.Equal("1/2 approvals", Decide(now.AddHours(-2), ["alice"], now).Reason);
        GateDecision frozen = Decide(now.AddHours(-2), ["alice", "bob"], now.AddMinutes(70));
        Assert.Equal((GateState.Frozen, now.AddHours(2)), (frozen.State, frozen.Until));
        Assert.Equal(GateState.WaitForRequest, Decide(now.AddHours(-2), ["alice", "bob"], now).State);
        Assert.Equal(GateState.Promote, Decide(now.AddHours(-2), ["alice", "bob"], now, requested: true).State);
        Assert.Equal(GateState.Promote, StageGate.Decide(rules with { AutoPromote = true }, new StageFacts(new Dictionary<string, DateTimeOffset?> { ["staging"] = now.AddHours(-2) }, ["alice", "bob"], now)).State);
    }

    [Fact]
    public void The_issue_example_loads_with_every_stage_rule()
    {
        var (pipelines, errors) = Load(Issue);
        Assert.Empty(errors);
        PipelineDefinition pipeline = Assert.Single(pipelines);
        Assert.Equal(["chart", "image"], pipeline.Sources.Select(s => s.Name));
        Assert.Equal("1.2.x", pipeline.Sources[0].HelmRepository!.Version);
        Assert.Equal(["dev", "staging", "prod"], pipeline.Stages.Select(s => s.Name));
        StageDefinition prod = pipeline.Stages[2];
        Assert.Equal((TimeSpan.FromHours(24), 2, false), (prod.Rules.RequiredSoakTime, prod.Rules.Approval!.Quorum, prod.Rules.AutoPromote));
        Assert.Equal(["helm-publish", "http"], prod.Promotion.Select(p => p.Uses));
        Assert.Equal(TimeSpan.FromHours(72), Assert.Single(prod.Rules.FreezeWindows).Duration);
        Assert.True(pipeline.Stages[0].FromSources);
        Assert.True(pipeline.Stages[0].Verification!.Health);
    }

    [Fact]
    public void Every_mistake_is_reported_at_its_line_and_column()
    {
        var (pipelines, errors) = Load("""
            apiVersion: gitops.orchestrations/v1
            kind: Pipeline
            metadata: {name: api}
            spec:
              sources:
                - name: chart
                  helmRepository: {url: http://x, chart: api, version: "one.two"}
                  gitTags: {repo: r}
              stages:
                - name: dev
                  from: [qa]
                  promotion: {uses: teleport}
                  approval: {approvers: [alice], quorum: 2}
                  freezeWindows: [{cron: "every friday", duration: 1h}, {cron: "0 0 * * 5", duration: 1h, timezone: Mars/Olympus}]
                - name: qa
                  from: [dev]
                  promotion: {uses: sync}
            """);
        Assert.Empty(pipelines);
        Assert.Equal([
            "p.yaml:7:60: error: 'one.two' is not a version constraint such as 1.2.3, 1.2.x, ^1.2 or >=1.2 <2: ",
            "p.yaml:6:7: error: a source has exactly one of helmRepository or gitTags",
            "p.yaml:12:25: error: unknown promotion step 'teleport' (known: analysis, apply, approval, diff, drift, git-commit, helm-publish, http, job, log, render, rollout, script, sync, wait, workflow)",
            "p.yaml:13:46: error: quorum 2 cannot be met by the 1 approvers named",
            "p.yaml:14:30: error: cron 'every friday': ",
            "p.yaml:14:105: error: unknown timezone 'Mars/Olympus' (use an IANA name such as Europe/Berlin)",
            "p.yaml:5:3: error: no stage takes freight from sources, so nothing would ever arrive",
            "p.yaml:10:7: error: stages take freight from each other in a cycle: ",
        ], errors.Select(e => Cut(e)));
    }

    // Library messages after the colon (Semver's, Cronos's) are not this project's to pin.
    static string Cut(string error) =>
        error.Contains("is not a version constraint", StringComparison.Ordinal) || error.Contains("cron '", StringComparison.Ordinal) || error.Contains("in a cycle", StringComparison.Ordinal)
            ? error[..(error.IndexOf(": ", error.IndexOf("error: ", StringComparison.Ordinal) + 7, StringComparison.Ordinal) + 2)]
            : error;
}
