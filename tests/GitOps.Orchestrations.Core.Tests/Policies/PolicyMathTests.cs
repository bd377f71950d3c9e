using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Policies;

namespace GitOps.Orchestrations.Core.Tests.Policies;

/// <summary>The leaves of Kyverno's pattern language, by table: wildcards, operators, ranges, quantities and durations.</summary>
public sealed class PolicyMathTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("?*", "", false)]
    [InlineData("?*", "a", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("*:latest", "nginx:latest", true)]
    [InlineData("*:latest", "nginx:1.27", false)]
    [InlineData("corp.io/*", "corp.io/team/app:1", true)]
    [InlineData("*a*b*", "xxaxxbxx", true)]
    [InlineData("*a*b", "xxaxxbxxc", false)]
    public void Wildcards(string pattern, string text, bool matches) => Assert.Equal(matches, Wildcard.Matches(pattern, text));

    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("2Gi", 2147483648)]
    [InlineData("1k", 1000)]
    [InlineData("1e3", 1000)]
    [InlineData("1.5", 1.5)]
    [InlineData("90s", 90)]
    [InlineData("1h30m", 5400)]
    public void Numbers_quantities_and_durations(string text, double expected)
    {
        Assert.True(PolicyNumbers.TryParse(text, out decimal value));
        Assert.Equal((decimal)expected, value);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1Xi")]
    public void Not_numbers(string text) => Assert.False(PolicyNumbers.TryParse(text, out _));

    [Theory]
    [InlineData(">1", "2", true)]
    [InlineData(">1", "1", false)]
    [InlineData(">=1", "1", true)]
    [InlineData("<=2Gi", "512Mi", true)]
    [InlineData("<=2Gi", "3Gi", false)]
    [InlineData("<1", "500m", true)]
    [InlineData("1-10", "5", true)]
    [InlineData("1-10", "11", false)]
    [InlineData("1!-10", "5", false)]
    [InlineData("1!-10", "11", true)]
    [InlineData("!*:latest", "nginx:latest", false)]
    [InlineData("!*:latest", "nginx:1.27", true)]
    [InlineData("a|b", "b", true)]
    [InlineData("a|b", "c", false)]
    [InlineData(">1&<3", "2", true)]
    [InlineData(">1&<3", "3", false)]
    [InlineData("1Gi", "1024Mi", true)]
    [InlineData(">=30s", "1m", true)]
    [InlineData(">1", "many", false)]
    [InlineData("web-*", "web-1", true)]
    public void String_patterns(string pattern, string value, bool matches) => Assert.Equal(matches, ScalarPattern.Matches(value, pattern));

    [Theory]
    [InlineData("true", "true", true)]
    [InlineData("true", "false", false)]
    [InlineData("\"false\"", "false", true)]
    [InlineData("3", "3", true)]
    [InlineData("3", "\"3\"", true)]
    [InlineData("3", "4", false)]
    [InlineData("null", "null", true)]
    [InlineData("null", "1", false)]
    [InlineData("\"?*\"", "{}", false)]
    public void Typed_leaves(string pattern, string value, bool matches)
    {
        using JsonDocument p = JsonDocument.Parse(pattern);
        Assert.Equal(matches, ScalarPattern.Matches(JsonNode.Parse(value), p.RootElement));
    }
}
