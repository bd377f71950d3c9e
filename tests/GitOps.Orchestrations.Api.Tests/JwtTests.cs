using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>Bearer tokens on the self-hosted server: signature, issuer and audience are checked, and the token's sub and role are the caller.</summary>
public sealed class JwtTests : IAsyncLifetime
{
    const string Key = "a-signing-key-of-at-least-32-bytes!!";
    readonly GitRepository repo = new();
    GitOpsServer server = null!;

    public async Task InitializeAsync()
    {
        repo.Commit("workflow", ("workflows/hello.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: hello}\nspec:\n  tasks:\n    - {name: a, uses: log, with: {message: hi}}\n"));
        server = await GitOpsServer.StartAsync(
            new ServerOptions
            {
                Urls = "http://127.0.0.1:0",
                Workflows = new WorkflowRepositoryOptions { Repository = repo.Path },
                Jwt = new JwtSettings { Issuer = "https://idp.test", Audience = "gitops", SigningKey = Key },
                GitPollInterval = TimeSpan.Zero,
            },
            NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        repo.Dispose();
    }

    static string Token(string user, string role, string audience = "gitops", string key = Key) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://idp.test",
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", user), new Claim("role", role)]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });

    async Task<HttpResponseMessage> Start(string token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.PostAsJsonAsync("/api/workflows/hello/runs", new { });
    }

    [Fact]
    public async Task A_valid_token_is_the_caller_and_a_forged_or_misdirected_one_is_not()
    {
        HttpResponseMessage started = await Start(Token("jane", "operator"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        string id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal("jane", (await server.Runs.GetAsync(id))!.StartedBy);

        Assert.Equal(HttpStatusCode.Forbidden, (await Start(Token("vic", "viewer"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Start(Token("jane", "operator", audience: "someone-else"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Start(Token("jane", "operator", key: "another-key-that-is-also-32-bytes-long"))).StatusCode);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("7")]
    [InlineData("viewer,operator")]
    [InlineData("operator, approver")]
    [InlineData("admin")]
    public async Task A_role_is_exactly_one_role_name(string role) =>
        Assert.Equal(HttpStatusCode.Forbidden, (await Start(Token("mallory", role))).StatusCode);
}
