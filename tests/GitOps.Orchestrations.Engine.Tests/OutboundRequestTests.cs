using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// The <c>http</c> step as an attacker would use it: header injection through a param, the cloud
/// metadata address, redirects to elsewhere, a response too big to hold. Real requests against a
/// real loopback server, through the real engine.
/// </summary>
public sealed class OutboundRequestTests(MemoryBackend backend) : IClassFixture<MemoryBackend>
{
    const string Header = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\n";

    static NodeStatus Node(RunStatus run, string name) => run.Nodes.Single(n => n.Name == name);

    [Fact]
    public async Task A_line_break_in_a_templated_header_fails_the_step_and_sends_nothing()
    {
        string effect = $"smuggled-{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: smuggle}
            spec:
              params: [{name: env}]
              tasks:
                - name: call
                  uses: http
                  with:
                    url: "{{http}}/effects/{{{effect}}}"
                    method: POST
                    headers: {X-Env: "{{params.env}}" }
            """, new() { ["env"] = "prod\r\nContent-Length: 0\r\n\r\nPOST /effects/second HTTP/1.1" });
        NodeStatus call = Node(run, "call");
        Assert.Equal(NodePhase.Failed, call.Phase);
        Assert.Contains("headers.X-Env holds a control character (prod\\u000d\\u000aContent-Length", call.Message, StringComparison.Ordinal);
        Assert.Equal(1, call.Attempts);
        Assert.DoesNotContain(backend.Http.EffectLog, e => e.Effect == effect || e.Effect == "second");
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/", "address 169.254.169.254 is in 169.254.0.0/16")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/", "address fd00:ec2::254 is in fd00:ec2::254/128")]
    [InlineData("file:///etc/passwd", "not an absolute http or https URL")]
    public async Task Metadata_and_link_local_addresses_are_refused_by_default(string url, string expected)
    {
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: metadata}
            spec:
              tasks:
                - {name: steal, uses: http, with: {url: "{{{url}}}"}, retry: {limit: 3}}
            """);
        NodeStatus steal = Node(run, "steal");
        Assert.Equal(NodePhase.Failed, steal.Phase);
        Assert.Contains(expected, steal.Message, StringComparison.Ordinal);
        Assert.Equal(1, steal.Attempts);
    }

    [Fact]
    public async Task Redirects_are_not_followed_unless_the_step_allows_them_and_then_each_hop_is_checked()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: redirects}
            spec:
              failFast: false
              tasks:
                - {name: stays, uses: http, with: {url: "{{http}}/redirect?to=/echo/there"}}
                - {name: follows, uses: http, with: {url: "{{http}}/redirect?to=/echo/there", followRedirects: true}}
                - {name: to-metadata, uses: http, with: {url: "{{http}}/redirect?to=http://169.254.169.254/latest/", followRedirects: true}}
            """);
        Assert.Equal(NodePhase.Failed, Node(run, "stays").Phase);
        Assert.Contains("returned 302", Node(run, "stays").Message, StringComparison.Ordinal);
        Assert.Equal(NodePhase.Succeeded, Node(run, "follows").Phase);
        Assert.Equal("there", Node(run, "follows").Outputs["json"].GetProperty("echo").GetString());
        Assert.Equal(NodePhase.Failed, Node(run, "to-metadata").Phase);
        Assert.Contains("169.254.0.0/16", Node(run, "to-metadata").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_response_is_read_only_up_to_the_limit()
    {
        await using var endless = new EndlessResponseServer(bodyBytes: 1000L * 1024 * 1024);
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: big}
            spec:
              tasks:
                - {name: fetch, uses: http, with: {url: "{{{endless.Url}}}"}}
            """);
        Assert.Equal(NodePhase.Succeeded, Node(run, "fetch").Phase);
        Assert.Equal(64 * 1024, Node(run, "fetch").Outputs["body"].GetString()!.Length);

        // Reading the whole gigabyte would take the kernel a second or more to hand over; 64 KiB plus buffers is a few megabytes.
        Assert.True(endless.BytesSent < 64L * 1024 * 1024, $"the server sent {endless.BytesSent / 1024 / 1024} MB of 1000");
    }
}

/// <summary>An operator's own egress rules: a denied network is refused after DNS, so a name that resolves there is refused too.</summary>
public sealed class EgressPolicyTests : IAsyncLifetime
{
    readonly TestHttpServer http = new();
    EngineHost engine = null!;

    public async Task InitializeAsync()
    {
        await http.InitializeAsync();
        engine = await EngineHost.StartAsync(new EngineHostOptions
        {
            Store = new MemoryStore(),
            Egress = new EgressPolicy { DenyNetworks = [.. EgressPolicy.DefaultDeniedNetworks, "127.0.0.0/8", "::1/128"] },
        });
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await http.DisposeAsync();
    }

    [Fact]
    public async Task A_denied_network_is_refused_by_address_and_by_a_name_that_resolves_into_it()
    {
        string port = new Uri(http.BaseUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        RunStatus run = await engine.Runs.RunToEndAsync(Header + $$$"""
            metadata: {name: denied}
            spec:
              failFast: false
              tasks:
                - {name: by-address, uses: http, with: {url: "http://127.0.0.1:{{{port}}}/echo/x"}}
                - {name: by-name, uses: http, with: {url: "http://localhost:{{{port}}}/echo/x"}}
            """);
        Assert.Contains("address 127.0.0.1 is in 127.0.0.0/8", run.Nodes.Single(n => n.Name == "by-address").Message, StringComparison.Ordinal);
        Assert.Contains("'localhost': address", run.Nodes.Single(n => n.Name == "by-name").Message, StringComparison.Ordinal);
        Assert.All(run.Nodes, n => Assert.Equal(NodePhase.Failed, n.Phase));
    }

    const string Header = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\n";
}
