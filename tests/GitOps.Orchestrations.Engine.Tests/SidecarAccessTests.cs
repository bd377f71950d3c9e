using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// The in-process sidecar can start, stop and raise events into any run, so only the host's own
/// worker and client may reach it: a Unix socket its user alone can open, and a per-process secret.
/// </summary>
public sealed class SidecarAccessTests(MemoryBackend backend) : IClassFixture<MemoryBackend>
{
    [Fact]
    public void The_sidecar_listens_on_a_private_socket_not_a_tcp_port()
    {
        Assert.True(File.Exists(backend.Engine.SidecarSocket), $"no socket at {backend.Engine.SidecarSocket}");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(backend.Engine.SidecarSocket)!));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backend.Engine.SidecarSocket));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a-guessed-secret")]
    public async Task A_client_without_the_process_secret_is_turned_away(string? secret)
    {
        string id = await backend.Engine.Runs.StartAsync(EngineBackend.Snapshot("""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: knocked}
            spec:
              tasks:
                - {name: gate, uses: approval, with: {timeout: 2m}}
            """), null, "tester", $"knocked-{Guid.NewGuid():N}");
        await Testing.Eventually.True(async () => (await backend.Engine.Runs.GetAsync(id))!.Waiting.Contains("gate"), "the gate to wait");

        using GrpcChannel channel = Hosting.Backends.SidecarChannels.Open(backend.Engine.SidecarSocket, secret);
        await using DurableTaskClient stranger = new GrpcDurableTaskClient("stranger", new GrpcDurableTaskClientOptions { Channel = channel }, NullLogger.Instance);
        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => stranger.RaiseEventAsync(id, TaskTypes.ApprovalTaskType.EventName("gate"), new { decision = "approve", by = "mallory" }));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => stranger.TerminateInstanceAsync(id));
        Engine.Runs.RunStatus still = (await backend.Engine.Runs.GetAsync(id))!;
        Assert.Equal(Core.Model.WorkflowPhase.Running, still.Phase);
        Assert.Empty(still.Gates.Single().Decisions);
        await backend.Engine.Runs.TerminateAsync(id, "test over");
    }
}
