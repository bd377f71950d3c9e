using System.Text.Json;
using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>
/// Steps travel inside the snapshot of every in-flight rollout, so the typed steps read what the
/// single nullable-field record wrote before them, under the engine's serializer and under the
/// Functions worker's camel-case one.
/// </summary>
public sealed class RolloutStepJsonTests
{
    // Written by the release before typed steps (one record, every field, the kind as a number), with
    // Durable Task's default options, then with camel case names.
    const string Written = """
        [{"Kind":0,"Weight":10,"Duration":null,"Analysis":null,"Approval":null,"Scale":null},
         {"Kind":1,"Weight":null,"Duration":"00:05:00","Analysis":null,"Approval":null,"Scale":null},
         {"Kind":1,"Weight":null,"Duration":null,"Analysis":null,"Approval":null,"Scale":null},
         {"Kind":2,"Weight":null,"Duration":null,"Analysis":{"Templates":["success-rate"],"Args":[{"Name":"service","Value":"api"}],"StartingStep":0},"Approval":null,"Scale":null},
         {"Kind":3,"Weight":null,"Duration":null,"Analysis":null,"Approval":{"Approvers":["release-managers"],"Quorum":2,"Timeout":"04:00:00","OnTimeout":"abort","AllowSelfApproval":false,"Message":"ship?"},"Scale":null},
         {"Kind":4,"Weight":null,"Duration":null,"Analysis":null,"Approval":null,"Scale":{"Weight":50,"Replicas":null,"MatchTrafficWeight":false}}]
        """;

    const string WrittenCamel = """
        [{"kind":0,"weight":10,"duration":null,"analysis":null,"approval":null,"scale":null},
         {"kind":1,"weight":null,"duration":"00:05:00","analysis":null,"approval":null,"scale":null},
         {"kind":1,"weight":null,"duration":null,"analysis":null,"approval":null,"scale":null},
         {"kind":2,"weight":null,"duration":null,"analysis":{"templates":["success-rate"],"args":[{"name":"service","value":"api"}],"startingStep":0},"approval":null,"scale":null},
         {"kind":3,"weight":null,"duration":null,"analysis":null,"approval":{"approvers":["release-managers"],"quorum":2,"timeout":"04:00:00","onTimeout":"abort","allowSelfApproval":false,"message":"ship?"},"scale":null},
         {"kind":4,"weight":null,"duration":null,"analysis":null,"approval":null,"scale":{"weight":50,"replicas":null,"matchTrafficWeight":false}}]
        """;

    static readonly JsonSerializerOptions Engine = new() { IncludeFields = true };
    static readonly JsonSerializerOptions Camel = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static TheoryData<string, bool> Releases => new() { { Written, false }, { WrittenCamel, true } };

    [Theory]
    [MemberData(nameof(Releases))]
    public void Steps_written_before_typed_steps_read_as_their_kinds(string json, bool camel)
    {
        RolloutStep[] steps = JsonSerializer.Deserialize<RolloutStep[]>(json, camel ? Camel : Engine)!;

        Assert.Equal(10, Assert.IsType<SetWeightStep>(steps[0]).Weight);
        Assert.Equal(TimeSpan.FromMinutes(5), Assert.IsType<PauseStep>(steps[1]).Duration);
        Assert.Null(Assert.IsType<PauseStep>(steps[2]).Duration);
        AnalysisReference analysis = Assert.IsType<AnalysisStep>(steps[3]).Analysis;
        Assert.Equal(["success-rate"], analysis.Templates);
        Assert.Equal(["service=api"], analysis.Args.Select(a => $"{a.Name}={a.Value}"));
        RolloutApproval approval = Assert.IsType<ApprovalStep>(steps[4]).Approval;
        Assert.Equal((2, TimeSpan.FromHours(4), "abort", "ship?"), (approval.Quorum, approval.Timeout, approval.OnTimeout, approval.Message));
        Assert.Equal(new CanaryScale(50, null, false), Assert.IsType<CanaryScaleStep>(steps[5]).Scale);
    }

    [Theory]
    [MemberData(nameof(Releases))]
    public void Typed_steps_write_the_same_shape_so_an_older_worker_reads_them(string json, bool camel)
    {
        JsonSerializerOptions options = camel ? Camel : Engine;
        RolloutStep[] steps = JsonSerializer.Deserialize<RolloutStep[]>(json, options)!;

        string written = JsonSerializer.Serialize(steps, options);

        // The fields a kind does not use are left out rather than written as null (a pause keeps its
        // null duration: that is "until promoted"); everything else is as before.
        using JsonDocument before = JsonDocument.Parse(json), after = JsonDocument.Parse(written);
        foreach (var (old, now) in before.RootElement.EnumerateArray().Zip(after.RootElement.EnumerateArray()))
        {
            var kept = old.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null || (p.Name is "Duration" or "duration" && old.EnumerateObject().First().Value.GetInt32() == (int)RolloutStepKind.Pause)).Select(p => $"{p.Name}:{p.Value.GetRawText()}");
            Assert.Equal(kept, now.EnumerateObject().Select(p => $"{p.Name}:{p.Value.GetRawText()}"));
        }
    }

    [Fact]
    public void The_kind_may_be_its_name_in_any_case()
    {
        RolloutStep step = JsonSerializer.Deserialize<RolloutStep>("""{"weight":30,"KIND":"setweight"}""", Engine)!;

        Assert.Equal(new SetWeightStep(30), step);
    }

    [Theory]
    [InlineData("""{"Kind":9,"Weight":10}""", "kind must be one of")]
    [InlineData("""{"Kind":"Teleport"}""", "kind must be one of")]
    [InlineData("""{"Weight":10}""", "kind must be one of")]
    [InlineData("""{"Kind":0}""", "needs Weight")]
    [InlineData("""{"Kind":3,"Approval":null}""", "needs Approval")]
    [InlineData("""[1]""", "a JSON object")]
    public void A_step_that_is_not_one_of_the_kinds_is_refused_not_half_built(string json, string message)
    {
        JsonException error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RolloutStep>(json, Engine));

        Assert.Contains(message, error.Message);
    }
}
