using System.Collections.Concurrent;
using System.Text.Json;
using Acornima;
using Acornima.Ast;
using GitOps.Orchestrations.Core.Model;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;

namespace GitOps.Orchestrations.Core.Expressions;

/// <summary>
/// The one expression language of workflows: <c>when</c>, success conditions and analysis
/// conditions are JavaScript expressions (ECMAScript syntax, evaluated by Jint). It is sandboxed:
/// a single expression, no functions, assignments or constructors, no CLR access, no clock and no
/// randomness (orchestrators replay it), and each evaluation is bounded in time, statements and memory.
/// <c>depends</c> uses the same operators in its own smaller grammar; see <see cref="DependsExpression"/>.
/// </summary>
public static class ExpressionLanguage
{
    static readonly ConcurrentDictionary<string, Prepared<Script>> Prepared = new(StringComparer.Ordinal);

    static readonly HashSet<NodeType> Forbidden =
    [
        NodeType.FunctionExpression, NodeType.ArrowFunctionExpression, NodeType.AssignmentExpression,
        NodeType.UpdateExpression, NodeType.NewExpression, NodeType.ClassExpression, NodeType.AwaitExpression,
        NodeType.YieldExpression, NodeType.TaggedTemplateExpression, NodeType.ImportExpression,
    ];

    static readonly HashSet<string> ForbiddenNames = new(StringComparer.Ordinal)
    {
        "constructor", "__proto__", "prototype", "eval", "Function", "globalThis", "Date", "Reflect", "Proxy",
    };

    /// <summary>Checks syntax and the sandbox rules; returns null when the expression is acceptable.</summary>
    /// <param name="position">Where in <paramref name="source"/> the problem is, 1-based.</param>
    public static string? Check(string source, out SourcePosition position)
    {
        position = SourcePosition.Start;
        if (string.IsNullOrWhiteSpace(source))
        {
            return "expression is empty";
        }

        Script script;
        try
        {
            script = new Parser().ParseScript(source, strict: true);
        }
        catch (ParseErrorException e)
        {
            position = new(Math.Max(1, e.LineNumber), e.Column + 1);
            return $"invalid expression: {e.Description}";
        }

        if (script.Body.Count != 1 || script.Body[0] is not ExpressionStatement)
        {
            return "must be a single expression";
        }

        return FindForbidden(script.Body[0], ref position);
    }

    public static bool EvaluateBoolean(string source, IReadOnlyDictionary<string, JsonElement>? variables = null)
    {
        JsValue value = EvaluateValue(source, variables);
        return value.IsBoolean()
            ? value.AsBoolean()
            : throw new ExpressionException($"expression '{source}' must be true or false, but it gave {Describe(value)}");
    }

    /// <summary>Evaluates to plain JSON so callers never hold engine values.</summary>
    public static JsonElement Evaluate(string source, IReadOnlyDictionary<string, JsonElement>? variables = null)
    {
        JsValue value = EvaluateValue(source, variables);
        string json = value.IsUndefined() ? "null" : new Jint.Native.Json.JsonSerializer(NewEngine()).Serialize(value).ToString();
        using JsonDocument document = JsonDocument.Parse(json == "undefined" ? "null" : json);
        return document.RootElement.Clone();
    }

    static JsValue EvaluateValue(string source, IReadOnlyDictionary<string, JsonElement>? variables)
    {
        string? problem = Check(source, out _);
        if (problem is not null)
        {
            throw new ExpressionException($"expression '{source}': {problem}");
        }

        Prepared<Script> prepared = Prepared.GetOrAdd(source, static s => Engine.PrepareScript(s, strict: true));
        Engine engine = NewEngine();
        if (variables is not null)
        {
            var parser = new JsonParser(engine);
            foreach (var (name, value) in variables)
            {
                engine.SetValue(name, parser.Parse(value.GetRawText()));
            }
        }

        try
        {
            return engine.Evaluate(prepared);
        }
        catch (JavaScriptException e)
        {
            throw new ExpressionException($"expression '{source}' failed: {e.Message}");
        }
        catch (TimeoutException)
        {
            throw new ExpressionException($"expression '{source}' took too long");
        }
        catch (StatementsCountOverflowException)
        {
            throw new ExpressionException($"expression '{source}' did too much work");
        }
        catch (MemoryLimitExceededException)
        {
            throw new ExpressionException($"expression '{source}' used too much memory");
        }
        catch (RecursionDepthOverflowException)
        {
            throw new ExpressionException($"expression '{source}' recursed too deeply");
        }
    }

    static Engine NewEngine()
    {
        var engine = new Engine(options => options
            .Strict()
            .TimeoutInterval(TimeSpan.FromMilliseconds(250))
            .MaxStatements(10_000)
            .LimitMemory(16_000_000)
            .LimitRecursion(32));

        // Orchestrators evaluate expressions during replay, which must give the same answer every time.
        engine.Global.RemoveOwnProperty("Date");
        engine.Global.RemoveOwnProperty("eval");
        engine.Global.RemoveOwnProperty("Function");
        ((ObjectInstance)engine.Global.Get("Math")).RemoveOwnProperty("random");
        engine.SetValue("len", new Func<JsValue, double>(Length));
        return engine;
    }

    static double Length(JsValue value) => value switch
    {
        _ when value.IsArray() => value.AsArray().Length,
        _ when value.IsString() => value.AsString().Length,
        _ when value.IsNull() || value.IsUndefined() => 0,
        ObjectInstance o => o.GetOwnProperties().Count(),
        _ => throw new JavaScriptException($"len() takes a list, a string or an object, not {Describe(value)}"),
    };

    static string? FindForbidden(Node node, ref SourcePosition position)
    {
        string? name = (node as Identifier)?.Name;
        if (Forbidden.Contains(node.Type) || (name is not null && ForbiddenNames.Contains(name)))
        {
            position = new(node.Location.Start.Line, node.Location.Start.Column + 1);
            return Forbidden.Contains(node.Type)
                ? $"{node.Type} is not allowed in expressions (only operators, literals, property access and len())"
                : $"'{name}' is not allowed in expressions";
        }

        foreach (Node child in node.ChildNodes)
        {
            string? problem = FindForbidden(child, ref position);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    static string Describe(JsValue value) =>
        value.IsString() ? $"the string '{value.AsString()}'" : value.IsUndefined() ? "undefined" : $"{value.Type.ToString().ToLowerInvariant()} {value}";
}

public sealed class ExpressionException(string message) : Exception(message);
