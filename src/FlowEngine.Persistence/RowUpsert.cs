using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace FlowEngine.Persistence;

/// <summary>
/// Inserts rows of one entity type, or replaces them when their key is already there, with plain parameterised SQL
/// (<c>INSERT … ON CONFLICT (key) DO UPDATE</c>, the same on SQLite and PostgreSQL), many rows per statement.
/// The table, columns, key and value conversions come from the EF model, so this writes exactly what EF would, but
/// without change tracking: the execution store writes every step record, checkpoint and page progress this way,
/// and EF's tracking was the largest cost of a streamed download (bench/README.md, "Profile").
/// </summary>
/// <typeparam name="T">The entity type.</typeparam>
public sealed class RowUpsert<T>
    where T : class
{
    // Rows per statement: well under SQLite's and PostgreSQL's limits on parameters (32,766 and 65,535).
    private const int RowsPerStatement = 64;

    private readonly Column[] _columns;
    private readonly string _insert;
    private readonly string _conflict;
    private readonly Dictionary<(int Rows, bool InsertOnly), string> _statements = [];
    private readonly string[] _names;

    private readonly int _perStatement;

    private RowUpsert(Column[] columns, string insert, string conflict, bool sqlite)
    {
        _columns = columns;
        _insert = insert;
        _conflict = conflict;
        _perStatement = sqlite ? 1 : RowsPerStatement;
        _names = [.. Enumerable.Range(0, RowsPerStatement * columns.Length).Select(i => $"@p{i / columns.Length}_{i % columns.Length}")];
    }

    /// <summary>Builds the statement parts for <typeparamref name="T"/> from a context's model.</summary>
    /// <param name="db">A context of the store.</param>
    /// <param name="values">
    /// How to read each mapped property of a row, by property name: plain delegates (no reflection, nothing compiled
    /// at run time). Every property of the model must have one, and every one must be a property of the model.
    /// </param>
    /// <exception cref="InvalidOperationException">The accessors and the model disagree (a property was added to one only).</exception>
    public static RowUpsert<T> For(DbContext db, IReadOnlyDictionary<string, Func<T, object?>> values)
    {
        // A key the database numbers itself (an identity column) is left to it.
        var table = ModelTable.For<T>(db, values.Keys, "row writer (accessors)", p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd && p.ClrType == typeof(long)));
        var key = table.Entity.FindPrimaryKey() ?? throw new InvalidOperationException($"{typeof(T).Name} has no key");
        var columns = table.Columns.Select(c => new Column(c.Property, c.Name, values[c.Property.Name])).ToArray();
        var keyColumns = key.Properties.Select(p => table.Sql.DelimitIdentifier(p.GetColumnName(table.Table)!)).ToArray();
        var insert = $"INSERT INTO {table.Name} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ";
        var updates = columns.Select(c => c.Name).Except(keyColumns).Select(c => $"{c} = excluded.{c}");
        var conflict = $" ON CONFLICT ({string.Join(", ", keyColumns)}) DO UPDATE SET {string.Join(", ", updates)}";
        return new RowUpsert<T>(columns, insert, conflict, db.Database.IsSqlite());
    }

    /// <summary>Writes <paramref name="rows"/> on the context's open connection, inside its current transaction.</summary>
    /// <remarks>
    /// Rows with the same key must not be in one call (the caller keeps the latest of each). On SQLite, which runs in
    /// this process, each row is one execution of a single-row statement prepared once: SQLite finds a parameter by name
    /// with a linear search, so binding a statement of hundreds of parameters costs time quadratic in their number (a
    /// 64-row insert of removal candidates, 832 parameters, cost 40 µs a row; bench/README.md, "Profile, fourth round").
    /// Elsewhere a statement is a round trip to the server, so up to 64 rows go in each.
    /// </remarks>
    /// <param name="db">The context whose connection and transaction are used.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <param name="insertOnly">True: a plain insert, so a row whose key (or a unique index) is taken fails the statement.</param>
    public async Task WriteAsync(DbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken, bool insertOnly = false)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        var sql = new ModelSql(db);
        ModelSql.Repeated? statement = null;
        try
        {
            for (var start = 0; start < rows.Count; start += _perStatement)
            {
                var count = Math.Min(_perStatement, rows.Count - start);
                if (statement is null || count * _columns.Length != statement.Count)
                {
                    // A statement of this many rows, its parameters made once; SQLite's stays prepared while it is reused.
                    if (statement is not null)
                    {
                        await statement.DisposeAsync().ConfigureAwait(false);
                    }

                    statement = sql.Repeat(Statement(count, insertOnly), [.. Enumerable.Range(0, count * _columns.Length)
                        .Select(i => new ModelSql.Parameter(_columns[i % _columns.Length].Property, _names[i], null))]);
                }

                for (var r = 0; r < count; r++)
                {
                    var row = rows[start + r];
                    for (var c = 0; c < _columns.Length; c++)
                    {
                        statement.Set((r * _columns.Length) + c, _columns[c].Value(row));
                    }
                }

                await statement.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (statement is not null)
            {
                await statement.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private string Statement(int rows, bool insertOnly)
    {
        lock (_statements)
        {
            if (_statements.TryGetValue((rows, insertOnly), out var cached))
            {
                return cached;
            }

            var text = new StringBuilder(_insert);
            for (var r = 0; r < rows; r++)
            {
                text.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < _columns.Length; c++)
                {
                    text.Append(c == 0 ? "" : ", ").Append(_names[(r * _columns.Length) + c]);
                }

                text.Append(')');
            }

            var statement = (insertOnly ? text : text.Append(_conflict)).ToString();
            _statements[(rows, insertOnly)] = statement;
            return statement;
        }
    }

    private sealed record Column(IProperty Property, string Name, Func<T, object?> Value);
}
