using System.Text.Json;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Rollouts;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>Activity messages queued by one release are run by the next: their JSON must not change shape.</summary>
public sealed class RolloutMessageTests
{
    // A set-traffic message as the release with positional parameters queued it (Durable Task's default options).
    const string Queued = """
        {"Target":{"Kind":"Deployment","Name":"api","Namespace":"prod","Cluster":null},
         "Routing":{"Provider":"istio","Resource":"api","Routes":["primary"]},
         "StableService":"api","CanaryService":"api-canary","StableDeployment":"api","CanaryDeployment":"api-canary",
         "Weight":30,"TotalReplicas":4,"CanaryReplicas":2}
        """;

    static readonly JsonSerializerOptions Engine = new() { IncludeFields = true };

    [Fact]
    public void A_set_traffic_message_queued_before_named_fields_reads_with_stable_and_canary_in_place()
    {
        SetTrafficRequest request = JsonSerializer.Deserialize<SetTrafficRequest>(Queued, Engine)!;

        Assert.Equal(("api", "api-canary", "api", "api-canary"), (request.StableService, request.CanaryService, request.StableDeployment, request.CanaryDeployment));
        Assert.Equal((30, 4, 2), (request.Weight, request.TotalReplicas, request.CanaryReplicas));
        Assert.Equal(("prod", "istio"), (request.Target.Namespace, request.Routing.Provider));
    }

    [Fact]
    public void A_set_traffic_message_is_written_in_the_same_shape()
    {
        SetTrafficRequest request = JsonSerializer.Deserialize<SetTrafficRequest>(Queued, Engine)!;

        using JsonDocument before = JsonDocument.Parse(Queued), after = JsonDocument.Parse(JsonSerializer.Serialize(request, Engine));
        Assert.Equal(before.RootElement.EnumerateObject().Select(p => p.Name), after.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(JsonElement.DeepEquals(before.RootElement, after.RootElement));
    }

    [Fact]
    public void A_message_missing_a_backend_is_refused_rather_than_routed_to_nothing()
    {
        string missing = Queued.Replace("\"CanaryService\":\"api-canary\",", string.Empty);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<SetTrafficRequest>(missing, Engine));
    }
}
